using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace FuncTrace.Tests.Infrastructure;

/// <summary>
/// A TCP relay in front of the test Azurite's three services, for outages on cue: <see cref="Down"/> cuts every open
/// connection and refuses new ones as a dead storage endpoint would; <see cref="Up"/> lets them through again. The app
/// under test is pointed at <see cref="ConnectionString"/> and never restarted.
/// </summary>
public sealed partial class StorageProxy : IAsyncDisposable
{
    private readonly List<TcpListener> _listeners = [];
    private readonly ConcurrentDictionary<TcpClient, byte> _open = new();
    private readonly CancellationTokenSource _stop = new();
    private volatile bool _down;

    private StorageProxy(string connectionString) => ConnectionString = connectionString;

    /// <summary>The test storage's connection string with each endpoint moved to this relay.</summary>
    public string ConnectionString { get; }

    public static StorageProxy Start()
    {
        var relays = new List<(TcpListener Listener, int Target)>();
        var connectionString = Endpoint().Replace(TestStorage.ConnectionString, match =>
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            relays.Add((listener, int.Parse(match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture)));
            return $"{match.Groups["name"].Value}=http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/";
        });
        var proxy = new StorageProxy(connectionString);
        foreach (var (listener, target) in relays)
        {
            proxy._listeners.Add(listener);
            _ = proxy.AcceptAsync(listener, target);
        }
        return proxy;
    }

    public void Down()
    {
        _down = true;
        foreach (var client in _open.Keys)
        {
            Reset(client);
        }
    }

    public void Up() => _down = false;

    private async Task AcceptAsync(TcpListener listener, int target)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient incoming;
            try
            {
                incoming = await listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            if (_down)
            {
                Reset(incoming);
                continue;
            }
            _ = RelayAsync(incoming, target);
        }
    }

    private async Task RelayAsync(TcpClient incoming, int target)
    {
        using var outgoing = new TcpClient();
        _open[incoming] = 0;
        _open[outgoing] = 0;
        try
        {
            await outgoing.ConnectAsync(IPAddress.Loopback, target, _stop.Token);
            await using var a = incoming.GetStream();
            await using var b = outgoing.GetStream();
            await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token));
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A cut connection, as an outage should look.
        }
        finally
        {
            _open.TryRemove(incoming, out _);
            _open.TryRemove(outgoing, out _);
            incoming.Dispose();
        }
    }

    /// <summary>Closes with a reset, as a storage node that went away does.</summary>
    private static void Reset(TcpClient client)
    {
        client.Client?.Close(0);
        client.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listeners.ForEach(l => l.Stop());
        foreach (var client in _open.Keys)
        {
            client.Dispose();
        }
        _stop.Dispose();
    }

    [GeneratedRegex(@"(?<name>BlobEndpoint|QueueEndpoint|TableEndpoint)=http://127\.0\.0\.1:(?<port>\d+)/")]
    private static partial Regex Endpoint();
}
