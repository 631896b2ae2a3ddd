using System.Globalization;
using System.Text;

namespace FuncTrace.Bench.Report;

/// <summary>One line of the results: a measured figure and, where the issue sets one, its target and verdict.</summary>
public sealed record ResultRow(string Scenario, string Measure, string Value, string Target = "", bool? Met = null)
{
    public string Verdict => Met switch { true => "met", false => "**missed**", null => "" };
}

/// <summary>The results in the order measured, plus notes that explain a figure; rendered as a Markdown table.</summary>
public sealed class ResultTable
{
    private readonly List<ResultRow> _rows = [];
    private readonly List<string> _notes = [];

    public IReadOnlyList<ResultRow> Rows => _rows;

    public IReadOnlyList<string> Notes => _notes;

    public void Add(ResultRow row)
    {
        _rows.Add(row);
        Console.WriteLine($"  {row.Scenario} | {row.Measure}: {row.Value} {row.Target} {row.Verdict}".TrimEnd());
    }

    public void Note(string note)
    {
        _notes.Add(note);
        Console.WriteLine($"  note: {note}");
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("| scenario | measure | median | target | verdict |");
        text.AppendLine("|---|---|---|---|---|");
        foreach (var row in _rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {row.Scenario} | {row.Measure} | {row.Value} | {row.Target} | {row.Verdict} |");
        }
        return text.ToString();
    }

    public static string Number(double value, int decimals = 0) => value.ToString("N" + decimals, CultureInfo.InvariantCulture);

    public static string Ratio(double value) => value.ToString("0.00", CultureInfo.InvariantCulture) + "×";

    public static string Ms(double value) => Number(value, value < 10 ? 1 : 0) + " ms";

    public static string MiBs(double bytes) => Number(bytes / Infrastructure.ProcStatus.MiB, 1) + " MiB";
}
