namespace OrleansLicensing.ClusterTests;

/// <summary>
/// Holds one outgoing grain call at the caller until the test releases it, so a test can put
/// another operation exactly between a transaction's start and its first touch of a grain.
/// The call waits at the caller (an outgoing filter), so the target grain stays free meanwhile.
/// Installed on every silo of the test clusters; it does nothing until armed.
/// </summary>
public sealed class CallGate : IOutgoingGrainCallFilter
{
    private Hold? _hold;

    /// <summary>Holds the next call of <paramref name="method"/> on the grain keyed <paramref name="targetKey"/>.</summary>
    public Hold Arm(string method, string targetKey)
    {
        var hold = new Hold(method, targetKey);
        Volatile.Write(ref _hold, hold);
        return hold;
    }

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        var hold = Volatile.Read(ref _hold);
        if (hold is not null
            && context.InterfaceMethod?.Name == hold.Method
            && context.TargetId.Key.ToString() == hold.TargetKey
            && Interlocked.CompareExchange(ref _hold, null, hold) == hold)
        {
            hold.Reach();
            await hold.WaitForReleaseAsync();
        }

        await context.Invoke();
    }

    public sealed class Hold(string method, string targetKey)
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Method { get; } = method;

        public string TargetKey { get; } = targetKey;

        /// <summary>Completes when the held call arrived at the gate.</summary>
        public Task Reached => _reached.Task;

        public void Release() => _released.TrySetResult();

        internal void Reach() => _reached.TrySetResult();

        internal Task WaitForReleaseAsync() => _released.Task;
    }
}
