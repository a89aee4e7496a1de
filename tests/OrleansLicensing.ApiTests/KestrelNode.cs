using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansLicensing.ApiTests;

/// <summary>
/// A node served by a real Kestrel listener on a free loopback port, for tests that need the
/// real HTTP parser (requests Kestrel refuses before the app runs) or raw sockets.
/// </summary>
public sealed class KestrelNode : IAsyncDisposable
{
    private KestrelNode(LicensingApp app, Uri address)
    {
        App = app;
        Address = address;
    }

    public LicensingApp App { get; }

    public Uri Address { get; }

    public static KestrelNode Start(string storageProvider = "Memory", string? dataDirectory = null)
    {
        var app = new LicensingApp(storageProvider, dataDirectory, settings: new Dictionary<string, string> { ["urls"] = "http://127.0.0.1:0" });
        app.UseKestrel();
        app.StartServer();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new KestrelNode(app, new Uri(address));
    }

    public HttpClient CreateClient(HttpMessageHandler? handler = null) => new(handler ?? new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 }) { BaseAddress = Address };

    /// <summary>Sends raw bytes on a fresh connection and reads until the server closes it (or a timeout).</summary>
    public async Task<byte[]> SendRawAsync(byte[] request, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(Address.Host, Address.Port, cancellationToken);
        var stream = client.GetStream();
        try
        {
            await stream.WriteAsync(request, cancellationToken);
        }
        catch (IOException)
        {
            // Kestrel may refuse and close before it has read everything we send.
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var response = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                response.Write(buffer, 0, read);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // A reset after the answer, or a kept-alive connection: what arrived is the answer.
        }

        return response.ToArray();
    }

    public async ValueTask DisposeAsync() => await App.DisposeAsync();
}

/// <summary>One HTTP/1.1 response parsed from raw bytes.</summary>
public sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, string Body)
{
    /// <summary>Every response in the bytes, in order (Content-Length or chunked bodies).</summary>
    public static List<RawResponse> ParseAll(byte[] bytes)
    {
        var responses = new List<RawResponse>();
        var at = 0;
        while (at < bytes.Length)
        {
            var headEnd = bytes.AsSpan(at).IndexOf("\r\n\r\n"u8);
            if (headEnd < 0)
            {
                throw new InvalidDataException("incomplete response head: " + Encoding.ASCII.GetString(bytes, at, bytes.Length - at));
            }

            var lines = Encoding.ASCII.GetString(bytes, at, headEnd).Split("\r\n");
            var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
            at += headEnd + 4;
            var body = new MemoryStream();
            if (headers.TryGetValue("Content-Length", out var length))
            {
                var n = int.Parse(length, System.Globalization.CultureInfo.InvariantCulture);
                body.Write(bytes, at, Math.Min(n, bytes.Length - at));
                at += n;
            }
            else if (headers.TryGetValue("Transfer-Encoding", out var coding) && coding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                while (true)
                {
                    var lineEnd = bytes.AsSpan(at).IndexOf("\r\n"u8);
                    var size = Convert.ToInt32(Encoding.ASCII.GetString(bytes, at, lineEnd).Split(';')[0], 16);
                    at += lineEnd + 2;
                    body.Write(bytes, at, size);
                    at += size + 2;
                    if (size == 0)
                    {
                        break;
                    }
                }
            }

            responses.Add(new RawResponse(status, headers, Encoding.UTF8.GetString(body.ToArray())));
        }

        return responses;
    }

    public JsonNode? Json => JsonNode.Parse(Body);
}
