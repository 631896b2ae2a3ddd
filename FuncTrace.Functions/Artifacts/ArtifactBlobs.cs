using System.Text.RegularExpressions;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Events;

namespace FuncTrace.Functions.Artifacts;

/// <summary>
/// Where artifacts live: the artifacts container, as <c>{tenant}|{event sort key}/{name}</c>. The event must exist in
/// the caller's tenant, and its sort key (26 base32 characters) stands for it whatever id the client chose.
/// </summary>
public static partial class ArtifactBlobs
{
    public const string DefaultContentType = "application/octet-stream";

    /// <summary>
    /// The tenant and sort key share one segment, so no client-chosen text ever forms a path segment of its own (a tenant
    /// named '..' would otherwise be one, and URL normalisation would step out of the container).
    /// </summary>
    public static string Name(string tenant, string sortKey, string name) => $"{tenant}|{sortKey}/{name}";

    public static async Task<string> SortKeyAsync(EventReader events, string tenant, string eventId, CancellationToken cancellationToken) =>
        (await events.GetAsync(tenant, eventId, cancellationToken))?.SortKey
        ?? throw FuncTraceException.NotFound($"No event with id '{eventId}'.");

    public static void ValidateName(string name)
    {
        if (string.IsNullOrEmpty(name) || !NamePattern().IsMatch(name) || name is "." or "..")
        {
            throw FuncTraceException.Validation("An artifact name is 1-200 letters, digits, '.', '_' or '-'.", "name");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,200}$")]
    private static partial Regex NamePattern();
}
