using System.Text.Json;
using System.Text.Json.Serialization;
using Azure.Data.Tables;

namespace FuncTrace.Functions.Events;

/// <summary>
/// Events a batch stores together. A batch's events of one conversation and one millisecond (with generated ids and data
/// inline) share rows of up to <see cref="MaxMembers"/>: a page, one row of the conversation's partition under
/// <c>e|{page key}</c> — time, conversation hash, <see cref="EventKeys.PageMarker"/>, 5 random digits — whose member
/// <c>i</c> has the page key and <c>i</c> in two digits as its sort key and id. Members sort right after their page's
/// key, so pages keep the conversation's order. The reader turns a page into rows shaped like a single event's (the same
/// properties, the page's ETag, <see cref="PageProperty"/> naming the stored row), so every reader, and the verdict's
/// conditional write, sees one event either way.
/// <para>
/// Per member a page keeps <c>M{i}</c> (its document, with type, time and body hash), <c>D{i}</c> (its data) and, once
/// judged, <c>V{i}</c> (the verdict): at most 3 × 50 + 4 of storage's 252 properties, and at most about 800 KB of an
/// entity's 1 MiB. Storage takes a row in at much the same cost whatever it holds, so a page stores 50 events for the
/// cost of one.
/// </para>
/// </summary>
public static class PackedEvents
{
    public const int MaxMembers = 50;

    /// <summary>Characters of documents and data one page holds at most: storage counts two bytes a character.</summary>
    public const int MaxChars = 400_000;

    /// <summary>On a row read from a page: the row key of the page that holds it.</summary>
    public const string PageProperty = "Page";

    private const string MembersProperty = "Members";

    /// <summary>An event ready to go into a page: its index there, its record, its document (as stored) and data.</summary>
    public sealed record Member(int Index, EventRecord Record, string Doc, string DataJson)
    {
        public int Chars => Doc.Length + DataJson.Length;

        public string SortKey(string pageKey) => EventKeys.MemberSortKey(pageKey, Index);
    }

    /// <summary>Member <paramref name="index"/>: <paramref name="record"/> with the sort key it gets in page <paramref name="pageKey"/> as its id.</summary>
    public static Member NewMember(string pageKey, int index, EventRecord record, string dataJson, string bodyHash)
    {
        ArgumentNullException.ThrowIfNull(record);
        var stored = record with { Id = EventKeys.MemberSortKey(pageKey, index) };
        var doc = EventDoc.Of(stored) with { EventType = stored.EventType, EventTime = stored.Timestamp, BodyHash = bodyHash };
        return new Member(index, stored, EventRows.DocJson(doc), dataJson);
    }

    public static TableEntity Row(string partitionKey, string pageKey, string conversationId, IReadOnlyList<Member> members, string slot, string attempt)
    {
        ArgumentNullException.ThrowIfNull(members);
        var row = new TableEntity(partitionKey, EventKeys.EventRow(pageKey))
        {
            ["ConversationId"] = conversationId,
            ["Slot"] = slot,
            [EventRows.AttemptProperty] = attempt,
            [MembersProperty] = members.Count,
        };
        foreach (var member in members)
        {
            var digits = Digits(member.Index);
            row[DocPrefix + digits] = member.Doc;
            row[DataPrefix + digits] = member.DataJson;
        }
        return row;
    }

    /// <summary>Whether <paramref name="row"/> of the events table is a page.</summary>
    public static bool IsPage(TableEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.RowKey.Length == EventKeys.EventPrefix.Length + EventKeys.PageKeyLength && row.RowKey.StartsWith(EventKeys.EventPrefix, StringComparison.Ordinal);
    }

    /// <summary>The row key of the page a packed sort key belongs to.</summary>
    public static string PageRowKey(string sortKey) => EventKeys.EventRow(sortKey[..EventKeys.PageKeyLength]);

    /// <summary>A page's events as rows of their own, in sort key order.</summary>
    public static IEnumerable<TableEntity> Events(TableEntity page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var pageKey = page.RowKey[EventKeys.EventPrefix.Length..];
        var indexes = page.Keys
            .Where(name => name.Length == 1 + EventKeys.MemberDigits && name[0] == DocPrefix[0])
            .Select(name => name[1..])
            .Order(StringComparer.Ordinal)
            .ToList();
        foreach (var digits in indexes)
        {
            yield return Event(page, pageKey + digits);
        }
    }

    /// <summary>The event with <paramref name="sortKey"/> if <paramref name="page"/> holds it.</summary>
    public static TableEntity? EventOrNull(TableEntity page, string sortKey)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(sortKey);
        return page.ContainsKey(DocPrefix + sortKey[EventKeys.PageKeyLength..]) ? Event(page, sortKey) : null;
    }

    private static TableEntity Event(TableEntity page, string sortKey)
    {
        var digits = sortKey[EventKeys.PageKeyLength..];
        var docJson = page.GetString(DocPrefix + digits);
        var doc = EventRows.ParseDoc(docJson);
        var row = new TableEntity(page.PartitionKey, EventKeys.EventRow(sortKey))
        {
            ["Id"] = sortKey,
            ["ConversationId"] = page.GetString("ConversationId"),
            ["EventType"] = doc.EventType,
            ["EventTime"] = doc.EventTime,
            ["BodyHash"] = doc.BodyHash,
            ["Slot"] = page.GetString("Slot"),
            [EventRows.AttemptProperty] = page.GetString(EventRows.AttemptProperty),
            [EventRows.DocProperty] = docJson,
            ["Data"] = page.GetString(DataPrefix + digits),
            [PageProperty] = page.RowKey,
            ETag = page.ETag,
            Timestamp = page.Timestamp,
        };
        if (page.GetString(VerdictPrefix + digits) is { } json && JsonSerializer.Deserialize<StoredVerdict>(json) is { } verdict)
        {
            row["ReviewStatus"] = verdict.Status;
            row["ReviewedAt"] = verdict.At;
            row["ReviewedBy"] = verdict.By;
            row["VerdictId"] = verdict.Id;
        }
        else if (doc.RequiresFeedback)
        {
            row["ReviewStatus"] = EventRows.ReviewPending;
        }
        return row;
    }

    /// <summary>
    /// The verdict's writes, beside its feedback row in one transaction: the review status, time, reviewer and verdict id
    /// on the row that holds the event. On the event's own row, conditional on its ETag: the first verdict wins. On a
    /// page, merged into the member's <c>V{i}</c> unconditionally — verdicts on other events of the page are no conflict —
    /// with the insert of the event's verdict claim (<c>v|{sort key}</c>), which only the first verdict gets.
    /// </summary>
    public static IReadOnlyList<TableTransactionAction> Verdict(StoredEvent target, string status, DateTimeOffset at, string reviewer, string verdictId)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.RowKey == EventKeys.EventRow(target.SortKey))
        {
            var row = new TableEntity(target.PartitionKey, target.RowKey)
            {
                ["ReviewStatus"] = status, ["ReviewedAt"] = at, ["ReviewedBy"] = reviewer, ["VerdictId"] = verdictId,
            };
            return [new(TableTransactionActionType.UpdateMerge, row, target.ETag)];
        }
        var claim = new TableEntity(target.PartitionKey, EventKeys.VerdictClaimPrefix + target.SortKey) { ["VerdictId"] = verdictId };
        var page = new TableEntity(target.PartitionKey, target.RowKey)
        {
            [VerdictPrefix + target.SortKey[EventKeys.PageKeyLength..]] = JsonSerializer.Serialize(new StoredVerdict(status, at, reviewer, verdictId)),
        };
        return [new(TableTransactionActionType.Add, claim), new(TableTransactionActionType.UpdateMerge, page, Azure.ETag.All)];
    }

    private sealed record StoredVerdict(
        [property: JsonPropertyName("s")] string Status,
        [property: JsonPropertyName("at")] DateTimeOffset At,
        [property: JsonPropertyName("by")] string By,
        [property: JsonPropertyName("id")] string Id);

    private const string DocPrefix = "M";
    private const string DataPrefix = "D";
    private const string VerdictPrefix = "V";

    private static string Digits(int index) => EventKeys.Digits((ulong)index, EventKeys.MemberDigits);
}
