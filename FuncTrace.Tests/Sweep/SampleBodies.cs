using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using FuncTrace.Functions.Shared;

namespace FuncTrace.Tests.Sweep;

/// <summary>
/// A valid-looking body for each route that reads JSON: its <see cref="RequestBodyAttribute.Example"/>, or one made from
/// the body type's JSON schema (every property present, strings "sweep", numbers 1, arrays of one item).
/// </summary>
public static class SampleBodies
{
    private static readonly JsonSchemaExporterOptions Exporter = new() { TreatNullObliviousAsNonNullable = true };

    public static string? For(SweepRoute route)
    {
        ArgumentNullException.ThrowIfNull(route);
        return route.ReadsJson ? route.Body!.Example ?? FromSchema(route).ToJsonString() : null;
    }

    /// <summary>Every property the body type has, with the example's values where it gives them: what the field sweep replaces one by one.</summary>
    public static string? Full(SweepRoute route)
    {
        ArgumentNullException.ThrowIfNull(route);
        if (!route.ReadsJson)
        {
            return null;
        }
        var full = FromSchema(route);
        if (route.Body!.Example is not null && JsonNode.Parse(route.Body.Example) is JsonObject example)
        {
            foreach (var (name, value) in example)
            {
                full[name] = value?.DeepClone();
            }
        }
        return full.ToJsonString();
    }

    private static JsonObject FromSchema(SweepRoute route)
    {
        var options = new JsonSerializerOptions(route.IsExternal ? JsonBody.CamelCase : JsonBody.SnakeCase)
        {
            TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
        };
        return Sample(options.GetJsonSchemaAsNode(route.Body!.Type, Exporter)) as JsonObject ?? [];
    }

    private static JsonNode? Sample(JsonNode? schema)
    {
        if (schema is not JsonObject node)
        {
            return "sweep";
        }
        var type = node["type"] switch
        {
            JsonArray types => types.Select(t => t!.GetValue<string>()).FirstOrDefault(t => t != "null") ?? "null",
            JsonValue single => single.GetValue<string>(),
            _ => node["properties"] is not null ? "object" : "string",
        };
        return type switch
        {
            "object" => new JsonObject((node["properties"]?.AsObject() ?? []).Select(p => KeyValuePair.Create(p.Key, Sample(p.Value)))),
            "array" => new JsonArray(Sample(node["items"])),
            "integer" => 1,
            "number" => 1.5,
            "boolean" => false,
            "null" => null,
            _ => node["format"]?.GetValue<string>() == "date-time" ? "2026-01-01T00:00:00Z" : "sweep",
        };
    }
}
