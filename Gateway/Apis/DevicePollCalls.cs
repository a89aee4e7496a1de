using OpenTelemetry;
using Orleans.GrainReferences;
using Orleans.Metadata;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Gateway.Apis;

/// <summary>
/// The poll's call to the device grain. When the device's grain is active in this process and
/// settled, its published answer (<see cref="DevicePollAnswers"/>) is used without a call. Otherwise
/// the call is made without two per-call costs measured under poll load (docs/benchmarks.md):
/// <list type="bullet">
/// <item><see cref="IGrainFactory.GetGrain{TGrainInterface}(string, string?)"/> resolves the
/// interface's grain interface type (custom attributes, a type name formatted by convention) and
/// its grain type on every call. Both are fixed, so they are resolved once, on the first call (a
/// separate gateway learns the grain types from the cluster manifest when it connects); a poll
/// only builds the grain id and the reference.</item>
/// <item>Orleans' activity propagation starts a client activity for every grain call and a server
/// activity in the grain, with tags and a trace header in the request context, although polls are
/// not traced (<c>Telemetry:TraceDevicePolls</c>, off by default, as for the HTTP side). Unless
/// polls are traced, the call is made inside an OpenTelemetry suppression scope, so no client
/// activity is created, and <see cref="DevicePollTracingFilter"/> does the same for the server
/// side.</item>
/// </list>
/// </summary>
public sealed class DevicePollCalls(IServiceProvider services, IConfiguration configuration, DevicePollAnswers answers)
{
    public const string TraceSetting = "Telemetry:TraceDevicePolls";

    private Resolved? _resolved;

    /// <summary>Whether device polls are traced (<c>Telemetry:TraceDevicePolls</c>).</summary>
    public bool Traced { get; } = configuration.GetValue(TraceSetting, false);

    public ValueTask<DevicePollResponse> PollAsync(string mac, string secret, string? ifNoneMatch)
    {
        if (answers.Find(mac) is { } published)
        {
            return ValueTask.FromResult(published.Answer(secret, ifNoneMatch));
        }

        var grain = Grain(mac);
        if (Traced)
        {
            return new ValueTask<DevicePollResponse>(grain.PollAsync(secret, ifNoneMatch));
        }

        // The outgoing filters run synchronously up to the send, so the scope covers them.
        using (SuppressInstrumentationScope.Begin())
        {
            return new ValueTask<DevicePollResponse>(grain.PollAsync(secret, ifNoneMatch));
        }
    }

    private IDeviceGrain Grain(string mac)
    {
        var resolved = _resolved ??= Resolve();
        return (IDeviceGrain)resolved.Activator.CreateReference(GrainId.Create(resolved.GrainType, mac), resolved.InterfaceType);
    }

    private Resolved Resolve()
    {
        var interfaceType = services.GetRequiredService<GrainInterfaceTypeResolver>().GetGrainInterfaceType(typeof(IDeviceGrain));
        var grainType = services.GetRequiredService<GrainInterfaceTypeToGrainTypeResolver>().GetGrainType(interfaceType);
        return new Resolved(services.GetRequiredService<GrainReferenceActivator>(), interfaceType, grainType);
    }

    private sealed record Resolved(GrainReferenceActivator Activator, GrainInterfaceType InterfaceType, GrainType GrainType);
}

/// <summary>
/// The grain side of <see cref="DevicePollCalls"/>: an incoming filter, registered ahead of
/// Orleans' activity propagation, that runs <see cref="IDeviceGrain.PollAsync"/> inside an
/// OpenTelemetry suppression scope unless polls are traced, so the silo creates no server
/// activity per poll. Every other call passes straight through.
/// </summary>
public sealed class DevicePollTracingFilter(IConfiguration configuration) : IIncomingGrainCallFilter
{
    private readonly bool _traced = configuration.GetValue(DevicePollCalls.TraceSetting, false);

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (_traced || context.Request.GetInterfaceType() != typeof(IDeviceGrain) || context.Request.GetMethodName() != nameof(IDeviceGrain.PollAsync))
        {
            return context.Invoke();
        }

        using (SuppressInstrumentationScope.Begin())
        {
            return context.Invoke();
        }
    }
}
