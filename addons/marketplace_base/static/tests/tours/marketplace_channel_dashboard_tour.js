import { registry } from "@web/core/registry";

// Data comes from TestUi.setUpClass: one connected channel with two listings.
registry.category("web_tour.tours").add("marketplace_channel_dashboard_tour", {
    steps: () => [
        {
            content: "The dashboard card shows the channel and its listing counter",
            trigger: ".o_marketplace_channel_kanban .o_kanban_record:contains(Tour Market) .o_mp_listings:contains(2)",
        },
        {
            content: "The unmatched counter links to the unmatched listings",
            trigger: ".o_kanban_record:contains(Tour Market) a:contains(unmatched)",
            run: "click",
        },
        {
            content: "Only the unmatched listing is listed",
            trigger: ".o_list_view .o_data_row:contains(TOUR-MUG)",
        },
        {
            trigger: ".o_list_view:not(:has(.o_data_row:contains(TOUR-OTHER)))",
        },
        {
            content: "Back to the dashboard",
            trigger: ".o_breadcrumb .o_back_button a, .o_breadcrumb li:first-child a",
            run: "click",
        },
        {
            content: "Open the channel form",
            trigger: ".o_kanban_record:contains(Tour Market) .fw-bold:contains(Tour Market)",
            run: "click",
        },
        {
            content: "The form shows the sync buttons of a connected channel",
            trigger: ".o_form_view button[name=action_push_stock]",
        },
        {
            content: "Queue an order import",
            trigger: ".o_form_view button[name=action_import_orders]",
            run: "click",
        },
        {
            content: "A notification confirms the job was queued",
            trigger: ".o_notification:contains(queued)",
        },
    ],
});
