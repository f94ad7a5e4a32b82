import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("marketplace_setup_wizard_tour", {
    steps: () => [
        {
            content: "New opens the set-up wizard",
            trigger: ".o-kanban-button-new",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=name] input",
            run: "edit Wizard Shop",
        },
        {
            content: "Open the marketplace choices",
            trigger: ".modal .o_field_widget[name=channel_type] .o_select_menu_toggler",
            run: "click",
        },
        {
            content: "Choose the marketplace",
            trigger: ".o_select_menu_item:contains(No marketplace)",
            run: "click",
        },
        {
            content: "Shared pool is the default stock model",
            trigger: ".modal .o_field_widget[name=stock_model] input[data-value=shared]:checked",
        },
        {
            trigger: ".modal .o_field_widget[name=safety_buffer] input",
            run: "edit 3",
        },
        {
            trigger: ".modal button[name=action_create_channel]",
            run: "click",
        },
        {
            content: "The new channel opens in its form",
            trigger: ".o_form_view .o_field_widget[name=name]:contains(Wizard Shop), .o_form_view .o_field_widget[name=name] input:value(Wizard Shop)",
        },
        {
            content: "Its allocation rule is there",
            trigger: ".o_notebook a:contains(Stock Allocation)",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=stock_rule_ids] .o_data_row",
        },
    ],
});
