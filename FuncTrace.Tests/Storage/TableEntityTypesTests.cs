using System.Text.Json;
using FuncTrace.Domain.Storage.Tables;

namespace FuncTrace.Tests.Storage;

public sealed class TableEntityTypesTests : TableTestBase
{
    private static readonly DateTimeOffset SevenDigits = new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero).AddTicks(1234567);

    [Fact]
    public async Task Every_supported_type_round_trips_with_its_type_through_insert_read_and_query()
    {
        var id = Guid.NewGuid();
        var written = new TableEntity("p", "r")
        {
            { "String", "héllo 😀" },
            { "EmptyString", "" },
            { "Int32", int.MinValue },
            { "Int64Small", 5L },
            { "Int64Big", 5_000_000_000L },
            { "Int64Max", long.MaxValue },
            { "Double", 3.25 },
            { "DoubleWhole", 2.0 },
            { "DoubleZero", 0.0 },
            { "DoubleBig", 1e300 },
            { "DoubleNaN", double.NaN },
            { "DoublePositiveInfinity", double.PositiveInfinity },
            { "DoubleNegativeInfinity", double.NegativeInfinity },
            { "True", true },
            { "False", false },
            { "DateTimeOffset", SevenDigits },
            { "Guid", id },
            { "Binary", new byte[] { 0, 1, 2, 254, 255 } },
        };
        await Table.AddEntityAsync(written);

        var read = await Table.GetEntityIfExistsAsync("p", "r");
        var queried = Assert.Single(await QueryAllAsync());

        foreach (var row in new[] { read!, queried })
        {
            Assert.Equal(written.Properties.Keys.Order(StringComparer.Ordinal), row.Properties.Keys.Order(StringComparer.Ordinal));
            foreach (var (name, value) in written)
            {
                Assert.IsType(value!.GetType(), row[name]);
                Assert.Equal(value, row[name]);
            }
        }
    }

    [Fact]
    public async Task A_utc_DateTime_comes_back_as_the_same_instant_with_all_seven_fractional_digits()
    {
        var utc = SevenDigits.UtcDateTime;
        await Table.AddEntityAsync(new TableEntity("p", "r") { { "When", utc } });

        var when = (await Table.GetEntityIfExistsAsync("p", "r"))?.GetDateTimeOffset("When");

        Assert.Equal(utc, when?.UtcDateTime);
        Assert.Equal(TimeSpan.Zero, when?.Offset);
        Assert.Equal(utc.Ticks, when?.UtcTicks);
    }

    [Fact]
    public async Task A_DateTimeOffset_with_an_offset_is_stored_as_the_same_instant_in_utc()
    {
        var local = new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.FromHours(5)).AddTicks(9);
        await Table.AddEntityAsync(new TableEntity("p", "r") { { "When", local } });

        var when = (await Table.GetEntityIfExistsAsync("p", "r"))?.GetDateTimeOffset("When");

        Assert.Equal(local.UtcTicks, when?.UtcTicks);
        Assert.Equal(TimeSpan.Zero, when?.Offset);
    }

    [Fact]
    public async Task Whole_doubles_come_back_as_double_after_a_merge_and_a_replace()
    {
        await Table.AddEntityAsync(new TableEntity("p", "r") { { "D", 1.0 } });
        await Table.UpsertEntityAsync(new TableEntity("p", "r") { { "D", 2.0 } }, TableUpdateMode.Merge);
        var merged = (await Table.GetEntityIfExistsAsync("p", "r"))!["D"];
        await Table.UpsertEntityAsync(new TableEntity("p", "r") { { "D", -4.0 } }, TableUpdateMode.Replace);
        var replaced = (await Table.GetEntityIfExistsAsync("p", "r"))!["D"];

        Assert.Equal(2.0, Assert.IsType<double>(merged));
        Assert.Equal(-4.0, Assert.IsType<double>(replaced));
    }

    [Fact]
    public async Task An_empty_byte_array_round_trips_as_binary()
    {
        await Table.AddEntityAsync(new TableEntity("p", "r") { { "Empty", Array.Empty<byte>() } });

        var value = (await Table.GetEntityIfExistsAsync("p", "r"))!["Empty"];

        Assert.Empty(Assert.IsType<byte[]>(value));
    }

    [Fact]
    public void Serialized_json_carries_the_odata_type_annotations_the_official_sdks_expect()
    {
        var id = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
        var entity = new TableEntity("p", "r")
        {
            { "S", "text" },
            { "I", 42 },
            { "L", 5_000_000_000L },
            { "D", 2.0 },
            { "N", double.NaN },
            { "B", true },
            { "T", SevenDigits },
            { "G", id },
            { "X", new byte[] { 1, 2, 3 } },
        };

        using var json = JsonDocument.Parse(TableEntityJson.Serialize(entity));
        var root = json.RootElement;

        Assert.Equal("p", root.GetProperty("PartitionKey").GetString());
        Assert.Equal("r", root.GetProperty("RowKey").GetString());
        Assert.Equal("text", root.GetProperty("S").GetString());
        Assert.False(root.TryGetProperty("S@odata.type", out _));
        Assert.Equal(42, root.GetProperty("I").GetInt32());
        Assert.False(root.TryGetProperty("I@odata.type", out _));
        Assert.Equal("Edm.Int64", root.GetProperty("L@odata.type").GetString());
        Assert.Equal("5000000000", root.GetProperty("L").GetString());
        Assert.Equal("Edm.Double", root.GetProperty("D@odata.type").GetString());
        Assert.Equal(JsonValueKind.Number, root.GetProperty("D").ValueKind);
        Assert.Equal(2.0, root.GetProperty("D").GetDouble());
        Assert.Equal("Edm.Double", root.GetProperty("N@odata.type").GetString());
        Assert.Equal("NaN", root.GetProperty("N").GetString());
        Assert.True(root.GetProperty("B").GetBoolean());
        Assert.Equal("Edm.DateTime", root.GetProperty("T@odata.type").GetString());
        Assert.Equal("2025-03-04T05:06:07.1234567Z", root.GetProperty("T").GetString());
        Assert.Equal("Edm.Guid", root.GetProperty("G@odata.type").GetString());
        Assert.Equal("0f8fad5b-d9cb-469f-a165-70867728950e", root.GetProperty("G").GetString());
        Assert.Equal("Edm.Binary", root.GetProperty("X@odata.type").GetString());
        Assert.Equal("AQID", root.GetProperty("X").GetString());
    }

    [Fact]
    public void Each_annotation_precedes_its_value_as_the_odata_json_format_requires()
    {
        var entity = new TableEntity("p", "r") { { "L", 1L }, { "D", 1.5 } };

        var names = JsonDocument.Parse(TableEntityJson.Serialize(entity)).RootElement.EnumerateObject().Select(p => p.Name).ToList();

        Assert.True(names.IndexOf("L@odata.type") < names.IndexOf("L"));
        Assert.True(names.IndexOf("D@odata.type") < names.IndexOf("D"));
    }

    [Fact]
    public void Reading_service_json_gives_each_property_its_annotated_or_inferred_type()
    {
        const string json = """
            {"odata.etag":"W/\"datetime'2025-01-01T00%3A00%3A00.1234567Z'\"","PartitionKey":"p","RowKey":"r",
             "Timestamp":"2025-01-01T00:00:00.1234567Z","I":7,"W":2.0,"D":2.5,
             "L@odata.type":"Edm.Int64","L":"12",
             "T@odata.type":"Edm.DateTime","T":"2025-03-04T05:06:07.1234567Z",
             "Inf@odata.type":"Edm.Double","Inf":"Infinity"}
            """;

        var entity = TableEntityJson.Read(JsonDocument.Parse(json).RootElement);

        Assert.Equal(7, Assert.IsType<int>(entity["I"]));
        Assert.Equal(2.0, Assert.IsType<double>(entity["W"]));
        Assert.Equal(2.5, Assert.IsType<double>(entity["D"]));
        Assert.Equal(12L, Assert.IsType<long>(entity["L"]));
        Assert.Equal(SevenDigits, Assert.IsType<DateTimeOffset>(entity["T"]));
        Assert.Equal(double.PositiveInfinity, Assert.IsType<double>(entity["Inf"]));
        Assert.Equal(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(1234567), entity.Timestamp);
        Assert.Equal("W/\"datetime'2025-01-01T00%3A00%3A00.1234567Z'\"", entity.ETag.ToString());
        Assert.DoesNotContain("Timestamp", entity.Properties.Keys);
    }
}
