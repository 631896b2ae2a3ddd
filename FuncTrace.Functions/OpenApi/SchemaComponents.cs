using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;

namespace FuncTrace.Functions.OpenApi;

/// <summary>
/// The document's <c>components.schemas</c>: one JSON Schema per body type, exported by System.Text.Json from the
/// options the app serializes with, so the names and shapes are the ones on the wire.
/// </summary>
public sealed class SchemaComponents(JsonSerializerOptions options)
{
    private static readonly JsonSchemaExporterOptions Exporter = new() { TreatNullObliviousAsNonNullable = true };

    private readonly Dictionary<Type, string> _names = [];
    private readonly JsonObject _schemas = [];

    /// <summary>A reference to <paramref name="type"/>'s schema, added under <paramref name="name"/> (its type name by default).</summary>
    public JsonNode Ref(Type type, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (type == typeof(Stream))
        {
            return new JsonObject { ["type"] = "string", ["format"] = "binary" };
        }
        if (!_names.TryGetValue(type, out var registered))
        {
            registered = name ?? type.Name;
            if (_schemas.ContainsKey(registered))
            {
                registered = type.FullName!.Replace('.', '_').Replace('+', '_');
            }
            _names[type] = registered;
            var schema = options.GetJsonSchemaAsNode(type, Exporter);
            Rebase(schema, "#/components/schemas/" + registered);
            _schemas[registered] = schema;
        }
        return new JsonObject { ["$ref"] = "#/components/schemas/" + registered };
    }

    /// <summary>
    /// The exporter points a recursive type back at itself relative to its own root (<c>"$ref": "#/properties/a"</c>);
    /// placed under <c>components/schemas</c>, those pointers must start from there. It also writes "any JSON" (a
    /// <c>JsonElement</c>) as the schema <c>true</c>, which OpenAPI readers trip over; <c>{}</c> says the same.
    /// </summary>
    private static void Rebase(JsonNode? node, string root)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["$ref"] is JsonValue reference && reference.GetValue<string>() is { } target && target.StartsWith('#'))
                {
                    obj["$ref"] = root + target[1..];
                }
                foreach (var (name, child) in obj.ToList())
                {
                    if (name is "items" or "additionalProperties" && child is JsonValue { } any && any.GetValueKind() == JsonValueKind.True)
                    {
                        obj[name] = new JsonObject();
                    }
                    Rebase(child, root);
                }
                if (obj["properties"] is JsonObject properties)
                {
                    foreach (var (name, _) in properties.Where(p => p.Value is JsonValue v && v.GetValueKind() == JsonValueKind.True).ToList())
                    {
                        properties[name] = new JsonObject();
                    }
                }
                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Rebase(child, root);
                }
                break;
        }
    }

    public JsonObject ToJson() => (JsonObject)_schemas.DeepClone();
}
