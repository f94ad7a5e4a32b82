import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("marketplace_listings_tour", {
    steps: () => [
        {
            content: "Both listings are shown",
            trigger: ".o_list_view .o_data_row:contains(TOUR-OTHER)",
        },
        {
            content: "Select the unmatched listing",
            trigger: ".o_data_row:contains(TOUR-MUG):not(:contains(Tour Mug)) .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Auto-match it from the list header",
            trigger: ".o_list_buttons button[name=action_auto_match], .o_control_panel_actions button[name=action_auto_match]",
            run: "click",
        },
        {
            content: "The notification tells how many matched",
            trigger: ".o_notification:contains(1 of 1 listing)",
        },
    ],
});
