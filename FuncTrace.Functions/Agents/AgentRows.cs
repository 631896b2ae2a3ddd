using Azure.Data.Tables;

namespace FuncTrace.Functions.Agents;

/// <summary>
/// Agents in the agents table, one partition per tenant (<c>a|{tenant}</c>), row key = the agent's id (time first, so a
/// list is in creation order). A tenant's agents are configuration: few, read by point reads on every chat turn and
/// execution, and written rarely, so one partition serves them and keeps a list one range read.
/// </summary>
public static class AgentRows
{
    public static string Partition(string tenant) => $"a|{tenant}";

    public static TableEntity Row(string tenant, string id, AgentDefinition definition, string status, DateTimeOffset createdAt, DateTimeOffset updatedAt)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var row = new TableEntity(Partition(tenant), id)
        {
            ["Name"] = definition.Name,
            ["Status"] = status,
            ["CreatedAt"] = createdAt,
            ["UpdatedAt"] = updatedAt,
            ["Parameters"] = AgentJson.ParametersText(definition.Parameters),
            ["Tools"] = AgentJson.ToolsText(definition.Tools),
        };
        Set(row, "Description", definition.Description);
        Set(row, "SystemPrompt", definition.SystemPrompt);
        Set(row, "Model", definition.Model);
        Set(row, "EngineType", definition.EngineType);
        Set(row, "SessionId", definition.SessionId);
        return row;
    }

    public static Agent ToAgent(TableEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var definition = new AgentDefinition(
            row.GetString("Name"),
            row.GetString("Description"),
            row.GetString("SystemPrompt"),
            row.GetString("Model"),
            AgentJson.ParseParameters(row.GetString("Parameters")),
            AgentJson.ParseTools(row.GetString("Tools")),
            row.GetString("EngineType"),
            row.GetString("SessionId"));
        return new Agent(row.RowKey, definition, row.GetString("Status") ?? Agent.Ready,
            row.GetDateTimeOffset("CreatedAt") ?? default, row.GetDateTimeOffset("UpdatedAt") ?? default, row.ETag);
    }

    private static void Set(TableEntity row, string name, string? value)
    {
        if (value is not null)
        {
            row[name] = value;
        }
    }
}
