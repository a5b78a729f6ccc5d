using System.Diagnostics;

namespace MailServerAdmin.Tests.Infrastructure;

/// <summary>Waits for something another thread or process does, failing the test with what was awaited after a deadline.</summary>
public static class Eventually
{
    public static Task TrueAsync(Func<bool> condition, TimeSpan within, string? what = null) =>
        TrueAsync(() => Task.FromResult(condition()), within, what);

    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan within, string? what = null)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < within, $"Waited {within.TotalSeconds:0} seconds for {what ?? "the condition"}.");
            await Task.Delay(50);
        }
    }
}
