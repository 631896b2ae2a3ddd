using FuncTrace.Domain.Storage.Tables;

namespace FuncTrace.Tests.Storage;

public sealed class TableFilterTests : TableTestBase
{
    private const string Injection = "x' or PartitionKey ne 'x";

    [Fact]
    public void Each_type_is_formatted_as_its_odata_literal()
    {
        Assert.Equal("null", TableFilter.Literal(null));
        Assert.Equal("'it''s'", TableFilter.Literal("it's"));
        Assert.Equal("true", TableFilter.Literal(true));
        Assert.Equal("false", TableFilter.Literal(false));
        Assert.Equal("-42", TableFilter.Literal(-42));
        Assert.Equal("5000000000L", TableFilter.Literal(5_000_000_000L));
        Assert.Equal("2.0", TableFilter.Literal(2.0));
        Assert.Equal("2.5", TableFilter.Literal(2.5));
        Assert.Equal("1E+300", TableFilter.Literal(1e300));
        Assert.Equal("datetime'2025-03-04T05:06:07.1234567Z'",
            TableFilter.Literal(new DateTimeOffset(2025, 3, 4, 10, 6, 7, TimeSpan.FromHours(5)).AddTicks(1234567)));
        Assert.Equal("datetime'2025-03-04T05:06:07.0000000Z'",
            TableFilter.Literal(new DateTime(2025, 3, 4, 5, 6, 7, DateTimeKind.Utc)));
        Assert.Equal("guid'0f8fad5b-d9cb-469f-a165-70867728950e'", TableFilter.Literal(Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e")));
        Assert.Equal("X'01abff'", TableFilter.Literal(new byte[] { 0x01, 0xab, 0xff }));
    }

    [Fact]
    public void Interpolated_values_are_quoted_so_they_cannot_change_the_filter_shape()
    {
        var filter = TableFilter.Create($"PartitionKey eq {Injection} and N gt {5L}");

        Assert.Equal("PartitionKey eq 'x'' or PartitionKey ne ''x' and N gt 5L", filter);
    }

    [Fact]
    public void Braces_in_the_format_stay_literal()
    {
        Assert.Equal("Name eq '{0}'", TableFilter.Create($"Name eq {"{0}"}"));
    }

    [Fact]
    public void And_joins_only_the_clauses_that_are_present()
    {
        Assert.Equal("(a eq 1) and (b eq 2)", TableFilter.And("a eq 1", null, " ", "b eq 2"));
        Assert.Equal(string.Empty, TableFilter.And(null, " "));
    }

    [Fact]
    public void A_type_without_an_odata_literal_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => TableFilter.Literal(new object()));
    }

    [Fact]
    public async Task An_injection_attempt_in_a_value_is_matched_literally_by_the_service()
    {
        await Table.AddEntityAsync(new TableEntity("p", "a") { { "Name", "alice" } });
        await Table.AddEntityAsync(new TableEntity("q", "b") { { "Name", "bob" } });
        await Table.AddEntityAsync(new TableEntity("p", "evil") { { "Name", Injection } });

        var byProperty = await QueryAllAsync(TableFilter.Create($"Name eq {Injection}"));
        var byKey = await QueryAllAsync(TableFilter.Create($"PartitionKey eq {Injection}"));

        Assert.Equal("evil", Assert.Single(byProperty).RowKey);
        Assert.Empty(byKey);
    }

    [Fact]
    public async Task Every_literal_type_matches_the_stored_value_in_the_service()
    {
        var when = new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero).AddTicks(1234567);
        var id = Guid.NewGuid();
        byte[] bytes = [1, 2, 3];
        await Table.AddEntityAsync(new TableEntity("p", "match")
        {
            { "S", "it's" }, { "I", 42 }, { "L", 5_000_000_000L }, { "D", 2.0 }, { "B", true }, { "T", when }, { "G", id }, { "X", bytes },
        });
        // Azurite compares datetimes at millisecond precision (Azure at 100 ns), so the other row differs by 1 ms.
        await Table.AddEntityAsync(new TableEntity("p", "other")
        {
            { "S", "its" }, { "I", 41 }, { "L", 5_000_000_001L }, { "D", 2.5 }, { "B", false }, { "T", when.AddMilliseconds(1) }, { "G", Guid.NewGuid() }, { "X", new byte[] { 1, 2 } },
        });

        string[] filters =
        [
            TableFilter.Create($"S eq {"it's"}"),
            TableFilter.Create($"I eq {42}"),
            TableFilter.Create($"L eq {5_000_000_000L}"),
            TableFilter.Create($"D eq {2.0}"),
            TableFilter.Create($"B eq {true}"),
            TableFilter.Create($"T eq {when}"),
            TableFilter.Create($"G eq {id}"),
            TableFilter.Create($"X eq {bytes}"),
            TableFilter.Create($"L lt {5_000_000_001L} and T lt {when.AddMilliseconds(1)} and I ge {42}"),
        ];

        foreach (var filter in filters)
        {
            var rows = await QueryAllAsync(filter);
            Assert.True(rows.Count == 1 && rows[0].RowKey == "match", $"'{filter}' returned [{string.Join(", ", rows.Select(r => r.RowKey))}]");
        }
    }
}
