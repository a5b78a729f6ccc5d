namespace MailServerAdmin.Tests.OAuth;

/// <summary>
/// The system clock moved forward by a test: the app and the test OAuth provider share it, so tokens age (and expire)
/// for both at once without waiting. Timers and delays still run in real time.
/// </summary>
public sealed class TestClock : TimeProvider
{
    private long _offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}
