using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace OrleansLicensing.Gateway.Infrastructure;

/// <summary>
/// Gives the requests Kestrel refuses before the app runs — an overlong request line (414), an
/// encoded NUL or other illegal character in the target (400), a NUL or control byte in a header
/// (400), oversized headers (431), headers too slow (408) — the same problem+json body with a
/// <c>code</c> and a <c>traceId</c> that every other error of the API has.
/// </summary>
/// <remarks>
/// Kestrel answers these from its HTTP/1.1 parser with <c>Content-Length: 0</c> and closes the
/// connection; no middleware, status-code page or exception handler sees them, and it offers no
/// hook to write a body. What it does offer: the <c>Microsoft.AspNetCore.Server.Kestrel.BadRequest</c>
/// diagnostic event, raised with the request's features (<see cref="IBadRequestExceptionFeature"/>)
/// when it decides to refuse a request and before it writes the refusal; and connection
/// middleware, which owns the connection's transport. So a connection middleware puts a thin
/// writer in front of the transport; the event arms the writer of that connection; the armed
/// writer holds back the next response head Kestrel writes and, if it is Kestrel's refusal (a
/// 4xx/5xx head with <c>Content-Length: 0</c> and no <c>Content-Type</c>), writes a complete
/// problem+json response in its place. Anything else — the app's own answer to a body Kestrel
/// refused while the app read it, HTTP/2 frames, TLS records — passes through untouched. Until
/// the event fires the writer forwards every call, so a connection's normal traffic pays one
/// branch per write.
/// <para>
/// Raising Kestrel's limits instead would only move the boundary (a longer line still meets the
/// raised limit) and cannot cover characters Kestrel never lets through. Endpoints with TLS
/// terminated by Kestrel keep Kestrel's empty refusals (this middleware sits outside TLS); the
/// node is deployed behind a TLS-terminating proxy.
/// </para>
/// </remarks>
public sealed class RejectedRequestAnswers : IObserver<KeyValuePair<string, object?>>, IDisposable
{
    public const string BadRequestEvent = "Microsoft.AspNetCore.Server.Kestrel.BadRequest";

    private readonly ConcurrentDictionary<string, AnsweringWriter> _connections = new(StringComparer.Ordinal);
    private readonly IDisposable _subscription;
    private readonly ILogger<RejectedRequestAnswers> _logger;
    private readonly KestrelServerLimits _limits;

    public RejectedRequestAnswers(DiagnosticListener diagnostics, IOptions<KestrelServerOptions> kestrel, ILogger<RejectedRequestAnswers> logger)
    {
        _logger = logger;
        _limits = kestrel.Value.Limits;
        _subscription = diagnostics.Subscribe(this, name => name == BadRequestEvent);
    }

    /// <summary>The connection middleware: every connection writes through an <see cref="AnsweringWriter"/>.</summary>
    public ConnectionDelegate Wrap(ConnectionDelegate next) => async connection =>
    {
        var transport = connection.Transport;
        var writer = new AnsweringWriter(transport.Output, this);
        connection.Transport = new Duplex(transport.Input, writer);
        _connections[connection.ConnectionId] = writer;
        try
        {
            await next(connection);
        }
        finally
        {
            _connections.TryRemove(connection.ConnectionId, out _);
        }
    };

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Key != BadRequestEvent || value.Value is not IFeatureCollection features)
        {
            return;
        }

        var request = features.Get<IHttpRequestFeature>();
        if (features.Get<IBadRequestExceptionFeature>()?.Error is not Microsoft.AspNetCore.Http.BadHttpRequestException error
            || features.Get<IHttpConnectionFeature>()?.ConnectionId is not { } connectionId
            || request?.Protocol is { } protocol && (protocol.StartsWith("HTTP/2", StringComparison.Ordinal) || protocol.StartsWith("HTTP/3", StringComparison.Ordinal))
            || !_connections.TryGetValue(connectionId, out var writer))
        {
            return;
        }

        writer.Arm(new Rejection(error.StatusCode, error.Message, HttpMethods.IsHead(request?.Method ?? string.Empty)));
    }

    public void OnError(Exception error)
    {
    }

    public void OnCompleted()
    {
    }

    public void Dispose() => _subscription.Dispose();

    /// <summary>The complete problem+json response that replaces Kestrel's empty refusal.</summary>
    internal byte[] Answer(Rejection rejection, IReadOnlyList<string> kestrelHeaders)
    {
        var code = Problems.CodeFor(rejection.Status);
        var status = Problems.StatusFor(code);
        var detail = Detail(rejection);
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        _logger.LogInformation("Request refused before routing: {StatusCode} {Code} (trace {TraceId}): {Reason}", status, code, traceId, rejection.Reason);

        var body = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            if (TypeFor(status) is { } type)
            {
                json.WriteString("type", type);
            }

            json.WriteString("title", ReasonPhrases.GetReasonPhrase(status));
            json.WriteNumber("status", status);
            json.WriteString("detail", detail);
            json.WriteString("code", code);
            json.WriteString("traceId", traceId);
            json.WriteEndObject();
        }

        var head = new StringBuilder();
        head.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} {ReasonPhrases.GetReasonPhrase(status)}\r\n");
        head.Append("Content-Type: application/problem+json\r\n");
        head.Append(CultureInfo.InvariantCulture, $"Content-Length: {body.WrittenCount}\r\n");
        head.Append("Connection: close\r\n");
        foreach (var line in kestrelHeaders)
        {
            // Date, Server and, for a 405, Allow; Kestrel's framing headers are replaced above.
            if (!line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase) && !line.StartsWith("Connection:", StringComparison.OrdinalIgnoreCase))
            {
                head.Append(line).Append("\r\n");
            }
        }

        head.Append(CultureInfo.InvariantCulture, $"X-Trace-Id: {traceId}\r\n\r\n");
        var headBytes = Encoding.ASCII.GetBytes(head.ToString());
        return rejection.IsHead ? headBytes : [.. headBytes, .. body.WrittenSpan];
    }

    private string Detail(Rejection rejection)
    {
        var reason = rejection.Reason;
        bool Mentions(string word) => reason.Contains(word, StringComparison.OrdinalIgnoreCase);
        return rejection.Status switch
        {
            StatusCodes.Status414UriTooLong => $"The request line (method, path and query) is longer than the {_limits.MaxRequestLineSize} bytes this server accepts.",
            StatusCodes.Status431RequestHeaderFieldsTooLarge => $"The request headers exceed what this server accepts: {_limits.MaxRequestHeadersTotalSize} bytes in all, {_limits.MaxRequestHeaderCount} headers.",
            StatusCodes.Status408RequestTimeout => "The request headers were not received in time.",
            StatusCodes.Status413PayloadTooLarge => "The request body is too large.",
            StatusCodes.Status405MethodNotAllowed => "The method is not allowed for this request target.",
            StatusCodes.Status411LengthRequired => "A request with a body must declare its Content-Length or use chunked transfer encoding.",
            StatusCodes.Status505HttpVersionNotsupported => "The HTTP version is not supported; use HTTP/1.1.",
            _ when Mentions("host") => "The Host header is missing, repeated or not valid.",
            _ when Mentions("request line") || Mentions("target") => "The request line is malformed, or the path or query holds a character HTTP does not allow (such as an encoded NUL, %00).",
            _ when Mentions("header") => "A request header is malformed or holds a character HTTP does not allow (such as NUL or another control byte).",
            _ when Mentions("chunk") || Mentions("content-length") || Mentions("transfer-encoding") => "The request framing (Content-Length or Transfer-Encoding) is not valid.",
            _ => "The request is not valid HTTP.",
        };
    }

    private static string? TypeFor(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        StatusCodes.Status405MethodNotAllowed => "https://tools.ietf.org/html/rfc9110#section-15.5.6",
        StatusCodes.Status408RequestTimeout => "https://tools.ietf.org/html/rfc9110#section-15.5.9",
        StatusCodes.Status413PayloadTooLarge => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        StatusCodes.Status414UriTooLong => "https://tools.ietf.org/html/rfc9110#section-15.5.15",
        StatusCodes.Status431RequestHeaderFieldsTooLarge => "https://tools.ietf.org/html/rfc6585#section-5",
        _ => null,
    };

    internal sealed record Rejection(int Status, string Reason, bool IsHead);

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    /// <summary>
    /// Forwards to the transport until armed; armed, holds the next response head back and
    /// replaces it when it is Kestrel's refusal. Kestrel writes a connection's responses one at
    /// a time, so the writer needs no locking; the arming field is volatile because a header
    /// timeout is detected on a timer thread.
    /// </summary>
    internal sealed class AnsweringWriter(PipeWriter inner, RejectedRequestAnswers owner) : PipeWriter
    {
        private const int MaxHeldBytes = 64 * 1024;
        private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();
        private static readonly byte[] Http1 = "HTTP/1."u8.ToArray();

        private volatile Rejection? _armed;
        private ArrayBufferWriter<byte>? _held;
        private bool _lastBufferHeld;
        private bool _answered;

        public void Arm(Rejection rejection) => _armed = rejection;

        private bool Holding => _answered || _armed is not null;

        public override Memory<byte> GetMemory(int sizeHint = 0)
        {
            _lastBufferHeld = Holding;
            return _lastBufferHeld ? (_held ??= new ArrayBufferWriter<byte>()).GetMemory(sizeHint) : inner.GetMemory(sizeHint);
        }

        public override Span<byte> GetSpan(int sizeHint = 0)
        {
            _lastBufferHeld = Holding;
            return _lastBufferHeld ? (_held ??= new ArrayBufferWriter<byte>()).GetSpan(sizeHint) : inner.GetSpan(sizeHint);
        }

        public override void Advance(int bytes)
        {
            if (_lastBufferHeld)
            {
                _held!.Advance(bytes);
            }
            else
            {
                inner.Advance(bytes);
            }
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            if (_answered)
            {
                // Whatever Kestrel writes after its refusal head belongs to the refusal: dropped.
                _held?.ResetWrittenCount();
                return inner.FlushAsync(cancellationToken);
            }

            if (_armed is not { } rejection || _held is null)
            {
                return inner.FlushAsync(cancellationToken);
            }

            var held = _held.WrittenSpan;
            var prefix = Math.Min(held.Length, Http1.Length);
            var end = held.IndexOf(HeadEnd);
            if (!held[..prefix].SequenceEqual(Http1.AsSpan(0, prefix)) || (end < 0 && held.Length > MaxHeldBytes))
            {
                return PassThrough(cancellationToken);
            }

            if (end < 0)
            {
                // The head is not complete yet; Kestrel writes the rest before its next flush.
                return ValueTask.FromResult(new FlushResult(isCanceled: false, isCompleted: false));
            }

            var lines = Encoding.ASCII.GetString(held[..end]).Split("\r\n");
            var isRefusal = int.TryParse(lines[0].Split(' ').ElementAtOrDefault(1), NumberStyles.None, CultureInfo.InvariantCulture, out var status)
                && status >= 400
                && lines.Any(l => l.Equals("Content-Length: 0", StringComparison.OrdinalIgnoreCase))
                && !lines.Any(l => l.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase));
            if (!isRefusal)
            {
                return PassThrough(cancellationToken);
            }

            inner.Write(owner.Answer(rejection with { Status = status }, lines[1..]));
            _answered = true;
            _held.ResetWrittenCount();
            return inner.FlushAsync(cancellationToken);
        }

        private ValueTask<FlushResult> PassThrough(CancellationToken cancellationToken)
        {
            ForwardHeld();
            _armed = null;
            return inner.FlushAsync(cancellationToken);
        }

        private void ForwardHeld()
        {
            if (_held is { WrittenCount: > 0 } held && !_answered)
            {
                inner.Write(held.WrittenSpan);
            }

            _held?.ResetWrittenCount();
        }

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes + (_held?.WrittenCount ?? 0);

        public override void Complete(Exception? exception = null)
        {
            ForwardHeld();
            inner.Complete(exception);
        }

        public override ValueTask CompleteAsync(Exception? exception = null)
        {
            ForwardHeld();
            return inner.CompleteAsync(exception);
        }
    }
}
