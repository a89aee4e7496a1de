using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OrleansLicensing.LoadTests;

/// <summary>
/// One keep-alive HTTP/1.1 connection that writes pre-encoded requests and reads just enough of
/// each response (status line, Content-Length, body) to frame it. It costs the shared cores far
/// less than HttpClient, so the servers under test get most of the machine — as with a native
/// load tool — and the poll/Kestrel ratio reflects the servers, not the generator.
/// </summary>
public sealed class RawHttpConnection : IDisposable
{
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();
    private static readonly byte[] ContentLength = "\r\ncontent-length:"u8.ToArray();

    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[32 * 1024];
    private int _start;
    private int _end;

    private RawHttpConnection(Socket socket) => _socket = socket;

    public static async Task<RawHttpConnection> OpenAsync(EndPoint server)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server);
        return new RawHttpConnection(socket);
    }

    /// <summary>A GET request with the given headers, encoded once and replayed.</summary>
    public static byte[] Get(Uri server, string path, params (string Name, string Value)[] headers)
    {
        var text = new StringBuilder();
        text.Append("GET ").Append(path).Append(" HTTP/1.1\r\nHost: ").Append(server.Authority).Append("\r\n");
        foreach (var (name, value) in headers)
        {
            text.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        return Encoding.ASCII.GetBytes(text.Append("\r\n").ToString());
    }

    /// <summary>Sends one request and reads its whole response; returns the status code.</summary>
    public async Task<int> SendAsync(ReadOnlyMemory<byte> request)
    {
        await _socket.SendAsync(request, SocketFlags.None);

        int headerLength;
        while ((headerLength = _buffer.AsSpan(_start, _end - _start).IndexOf(HeaderEnd)) < 0)
        {
            await FillAsync();
        }

        var (status, bodyLength) = ParseHead(_buffer.AsSpan(_start, headerLength + 2));
        _start += headerLength + HeaderEnd.Length;
        while (bodyLength > 0)
        {
            if (_start == _end)
            {
                await FillAsync();
            }

            var taken = Math.Min(bodyLength, _end - _start);
            _start += taken;
            bodyLength -= taken;
        }

        return status;
    }

    public void Dispose() => _socket.Dispose();

    private static (int Status, int BodyLength) ParseHead(ReadOnlySpan<byte> head)
    {
        // "HTTP/1.1 200 OK\r\n..."
        var status = ((head[9] - '0') * 100) + ((head[10] - '0') * 10) + (head[11] - '0');
        Span<byte> lower = head.Length <= 4096 ? stackalloc byte[head.Length] : new byte[head.Length];
        for (var i = 0; i < head.Length; i++)
        {
            lower[i] = head[i] is >= (byte)'A' and <= (byte)'Z' ? (byte)(head[i] + 32) : head[i];
        }

        var at = lower.IndexOf(ContentLength);
        if (at < 0)
        {
            return status is 304 or 204 ? (status, 0) : throw new InvalidOperationException($"HTTP {status} without Content-Length is not supported by the load generator.");
        }

        var value = lower[(at + ContentLength.Length)..];
        value = value[..value.IndexOf((byte)'\r')].Trim((byte)' ');
        var length = 0;
        foreach (var digit in value)
        {
            length = (length * 10) + (digit - '0');
        }

        return (status, length);
    }

    private async Task FillAsync()
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        var read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None);
        if (read == 0)
        {
            throw new IOException("The server closed the connection.");
        }

        _end += read;
    }
}
