using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace FuncTrace.FakeOpenAi;

/// <summary>Writes a <see cref="FakeReply"/> the way the OpenAI chat completions API does.</summary>
internal static class FakeWireFormat
{
    public static async Task WriteAsync(HttpContext context, FakeRequest request, FakeReply reply)
    {
        var response = context.Response;
        response.StatusCode = reply.Status;
        if (reply.RetryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }
        if (reply.RawBody is not null)
        {
            response.ContentType = "application/json";
            await response.WriteAsync(reply.RawBody);
        }
        else if (reply.Status >= 400)
        {
            await response.WriteAsJsonAsync(new { error = new { message = reply.ErrorMessage, type = reply.ErrorType, param = (string?)null, code = reply.ErrorCode } });
        }
        else if (request.Stream)
        {
            await WriteStreamAsync(context, request, reply);
        }
        else
        {
            var toolCalls = reply.ToolCalls.Count == 0
                ? null
                : reply.ToolCalls.Select(call => new { id = call.Id, type = "function", function = new { name = call.Name, arguments = call.Arguments } }).ToArray();
            await response.WriteAsJsonAsync(new
            {
                id = "chatcmpl-fake",
                @object = "chat.completion",
                created = 1_700_000_000,
                model = request.Model,
                choices = new[]
                {
                    new { index = 0, message = new { role = "assistant", content = toolCalls is null ? reply.Content : null, tool_calls = toolCalls }, finish_reason = reply.EffectiveFinishReason },
                },
                usage = Usage(reply),
            });
        }
    }

    private static async Task WriteStreamAsync(HttpContext context, FakeRequest request, FakeReply reply)
    {
        context.Response.ContentType = "text/event-stream";
        await WriteChunkAsync(context, request, new { role = "assistant", content = string.Empty }, finishReason: null);
        foreach (var token in reply.Tokens)
        {
            await Task.Delay(reply.TokenDelay, context.RequestAborted);
            await WriteChunkAsync(context, request, new { content = token }, finishReason: null);
        }
        for (var i = 0; i < reply.ToolCalls.Count; i++)
        {
            // The name comes whole with the call's first piece; the arguments follow in two pieces, as real streams split them.
            var call = reply.ToolCalls[i];
            var half = call.Arguments.Length / 2;
            await WriteChunkAsync(context, request, new { tool_calls = new[] { new { index = i, id = call.Id, type = "function", function = new { name = call.Name, arguments = call.Arguments[..half] } } } }, finishReason: null);
            await WriteChunkAsync(context, request, new { tool_calls = new[] { new { index = i, function = new { arguments = call.Arguments[half..] } } } }, finishReason: null);
        }
        if (reply.BreaksMidStream)
        {
            // Garbled rather than a cut connection: a reset can discard chunks the client has not read yet.
            await context.Response.WriteAsync("data: {\"id\": \"chatcmpl-fake\", \"choi\n\n");
            return;
        }
        await WriteChunkAsync(context, request, new { }, reply.EffectiveFinishReason);
        if (request.IncludeUsage)
        {
            // What the API sends when asked: one more chunk with no choices and the whole call's usage.
            var usage = JsonSerializer.Serialize(new { id = "chatcmpl-fake", @object = "chat.completion.chunk", created = 1_700_000_000, model = request.Model, choices = Array.Empty<object>(), usage = Usage(reply) });
            await context.Response.WriteAsync($"data: {usage}\n\n");
        }
        await context.Response.WriteAsync("data: [DONE]\n\n");
    }

    private static object Usage(FakeReply reply) => new { prompt_tokens = 10, completion_tokens = reply.Tokens.Count, total_tokens = 10 + reply.Tokens.Count };

    private static async Task WriteChunkAsync(HttpContext context, FakeRequest request, object delta, string? finishReason)
    {
        var chunk = JsonSerializer.Serialize(new
        {
            id = "chatcmpl-fake",
            @object = "chat.completion.chunk",
            created = 1_700_000_000,
            model = request.Model,
            choices = new[] { new { index = 0, delta, finish_reason = finishReason } },
        });
        await context.Response.WriteAsync($"data: {chunk}\n\n");
        await context.Response.Body.FlushAsync();
    }
}
