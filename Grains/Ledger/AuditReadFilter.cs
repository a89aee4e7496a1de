using Orleans.Runtime;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>
/// Keeps the conservation audit from filling memory with holders: an activation of a holder
/// grain (device, key, project) that has served nothing but the audit's read is deactivated as
/// soon as that read (and its read transaction, resolved inside the call) ended. An activation
/// that served any other call — a device polling, a move — stays, so the audit does not evict
/// the working set; it only cleans up what it brought in itself. The grains a holder's activation
/// loads under the same key (a device's hardware record, test mode and test license) are
/// deactivated after the call the audit's read caused, too.
/// </summary>
/// <remarks>
/// The audit marks its reads with <see cref="Key"/> (a device's MAC) in the request context,
/// which Orleans carries into the calls the read makes, activation included. Other calls are
/// noted on a holder's activation with a marker component, looked up once per call on the three
/// holder grain classes only (whatever interface the call came through); every other call passes straight through after one request-context
/// lookup. A companion grain has no such marker: if another user needed it at that moment, it
/// is read again on its next call.
/// </remarks>
public sealed class AuditReadFilter : IIncomingGrainCallFilter
{
    /// <summary>Request-context key of the audit's holder reads; its value is the device's MAC for a device, else empty.</summary>
    public const string Key = "licensing-audit-read";

    private static readonly DeactivationReason ReadOnly = new(DeactivationReasonCode.ApplicationRequested, "activated only for the conservation audit's read");

    public Task Invoke(IIncomingGrainCallContext context)
    {
        // By the grain's class, not the called interface: moves reach holders through other interfaces too.
        var holder = context.TargetContext.GrainInstance is Grains.DeviceGrain or Grains.ActivationKeyGrain or Grains.ProjectGrain;
        if (RequestContext.Get(Key) is not string read)
        {
            if (holder && context.TargetContext.GetComponent<ServedOthers>() is null)
            {
                context.TargetContext.SetComponent(ServedOthers.Instance);
            }

            return context.Invoke();
        }

        return holder || (read.Length > 0 && context.TargetId.Key.ToString() == read) ? InvokeThenLeaveAsync(context) : context.Invoke();
    }

    private static async Task InvokeThenLeaveAsync(IIncomingGrainCallContext context)
    {
        await context.Invoke();
        if (context.TargetContext.GetComponent<ServedOthers>() is null)
        {
            context.TargetContext.Deactivate(ReadOnly);
        }
    }

    /// <summary>Marks a holder's activation that served a call other than the audit's read.</summary>
    private sealed class ServedOthers
    {
        public static readonly ServedOthers Instance = new();
    }
}
