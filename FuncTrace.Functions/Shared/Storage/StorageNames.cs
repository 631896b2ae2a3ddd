namespace FuncTrace.Functions.Shared.Storage;

/// <summary>
/// Every table, container and queue the app uses, after the deployment's prefix (tables: prefix + name; containers
/// and queues: prefix + "-" + name). The queue triggers spell the same names as <c>%FuncTrace:StoragePrefix%-…</c>.
/// </summary>
public sealed class StorageNames(string prefix)
{
    public const string KeysTable = "keys";
    public const string EventsTable = "events";
    public const string ViewsTable = "views";
    public const string JobsTable = "jobs";
    public const string AgentsTable = "agents";

    public const string PayloadsContainer = "payloads";
    public const string ArtifactsContainer = "artifacts";

    public const string ScoreQueue = "score";
    public const string ScorePoisonQueue = "score-poison";
    public const string ScoreCheckQueue = "score-check";

    /// <summary>Ingest slots: each message is a slot's intent, and becomes its views work when the slot is sealed.</summary>
    public const string IngestQueue = "ingest";
    public const string IngestPoisonQueue = "ingest-poison";

    /// <summary>Session commands: one message per command to look at (run it, follow its job, finish it).</summary>
    public const string CommandsQueue = "commands";
    public const string CommandsPoisonQueue = "commands-poison";

    public static IReadOnlyList<string> Tables { get; } = [KeysTable, EventsTable, ViewsTable, JobsTable, AgentsTable];
    public static IReadOnlyList<string> Containers { get; } = [PayloadsContainer, ArtifactsContainer];

    /// <summary>The queues the app's functions listen to; each also gets its <c>-poison</c> queue.</summary>
    public static IReadOnlyList<string> Queues { get; } = [ScoreQueue, ScorePoisonQueue, ScoreCheckQueue, IngestQueue, IngestPoisonQueue, CommandsQueue, CommandsPoisonQueue];

    public string Prefix { get; } = prefix;

    public string Table(string name) => Prefix + name;

    public string Container(string name) => Prefix + "-" + name;

    public string Queue(string name) => Prefix + "-" + name;

    /// <summary>Where a queue's given-up messages go: the Functions host's own naming.</summary>
    public static string Poison(string queue) => queue + "-poison";
}
