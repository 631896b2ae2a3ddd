using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace FuncTrace.Domain.Storage;

/// <summary>Builds the Azure.Core pipeline for one storage service and sends requests through it.</summary>
internal sealed class StoragePipeline
{
    private const string StorageScope = "https://storage.azure.com/.default";
    private readonly HttpPipeline _pipeline;
    private readonly string? _sas;

    public StoragePipeline(StorageCredential credential, StorageClientOptions options, bool isTable)
    {
        ServiceVersion = isTable ? options.TableServiceVersion : options.ServiceVersion;
        _sas = credential.SharedAccessSignature;
        HttpPipelinePolicy[] perRetry = credential switch
        {
            { AccountKey: { } key, AccountName: { } name } => [new SharedKeyPolicy(name, key, isTable)],
            { Token: { } token } => [new BearerTokenAuthenticationPolicy(token, StorageScope)],
            _ => [],
        };
        _pipeline = HttpPipelineBuilder.Build(options, [], perRetry, new ResponseClassifier());
    }

    public string ServiceVersion { get; }

    public HttpMessage CreateMessage(RequestMethod method, Uri uri)
    {
        var message = _pipeline.CreateMessage();
        message.Request.Method = method;
        message.Request.Uri.Reset(_sas is null ? uri : AppendSas(uri, _sas));
        message.Request.Headers.SetValue("x-ms-version", ServiceVersion);
        return message;
    }

    /// <summary>Sends and throws <see cref="RequestFailedException"/> (with the service's error code) unless the status is one of <paramref name="expected"/>.</summary>
    public async ValueTask<Response> SendAsync(HttpMessage message, CancellationToken cancellationToken, params int[] expected)
    {
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (expected.Contains(response.Status))
        {
            return response;
        }
        throw await StorageErrors.CreateAsync(response, cancellationToken).ConfigureAwait(false);
    }

    private static Uri AppendSas(Uri uri, string sas) =>
        new(uri.AbsoluteUri + (string.IsNullOrEmpty(uri.Query) ? "?" : "&") + sas);
}
