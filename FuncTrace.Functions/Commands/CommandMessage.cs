using System.Text.Json;
using System.Text.Json.Serialization;

namespace FuncTrace.Functions.Commands;

/// <summary>
/// What the commands queue carries: which command to look at. What to do is read from its row (run it, wait for its
/// runner, follow its job, or finish its events), so every copy of a message — a retry, a re-delivery, a duplicate —
/// does only what is left.
/// </summary>
public sealed record CommandMessage(
    [property: JsonPropertyName("tenant")] string Tenant,
    [property: JsonPropertyName("session_id")] string SessionId,
    [property: JsonPropertyName("command_id")] string CommandId)
{
    public string ToJson() => JsonSerializer.Serialize(this);

    /// <summary>The message, or null when <paramref name="text"/> is not one (it can never succeed, so it is dropped).</summary>
    public static CommandMessage? TryParse(string text)
    {
        try
        {
            return JsonSerializer.Deserialize<CommandMessage>(text) is { Tenant: not null, SessionId: not null, CommandId: not null } message ? message : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
