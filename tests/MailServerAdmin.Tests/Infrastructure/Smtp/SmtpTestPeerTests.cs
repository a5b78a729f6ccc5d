namespace MailServerAdmin.Tests.Infrastructure.Smtp;

public sealed class SmtpTestPeerTests
{
    [Fact]
    public void The_peer_runs_smtp_peer_py_as_this_assembly_carries_it()
    {
        using var script = new StreamReader(SmtpTestPeer.ScriptStream());

        Assert.StartsWith("# SMTP test peer:", script.ReadLine(), StringComparison.Ordinal);
        Assert.Contains("from aiosmtpd.smtp import", script.ReadToEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_python_without_aiosmtpd_is_reported_with_the_install_command()
    {
        var problem = SmtpTestPeer.FindAvailabilityProblem("/nonexistent/python3");

        Assert.NotNull(problem);
        Assert.Contains("/nonexistent/python3", problem, StringComparison.Ordinal);
        Assert.Contains("apt-get install -y python3-aiosmtpd", problem, StringComparison.Ordinal);
        Assert.Contains(SmtpTestPeer.PythonEnvironmentVariable, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Availability_is_reported_with_the_install_command()
    {
        Assert.Equal(SmtpTestPeer.IsAvailable, SmtpTestPeer.SkipReason is null);
        if (SmtpTestPeer.UnavailableReason is { } reason)
        {
            Assert.Contains("apt-get install -y python3-aiosmtpd", reason, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("false", true)]
    [InlineData("0", true)]
    [InlineData("true", false)]
    [InlineData("1", false)]
    public void Without_aiosmtpd_SMTP_tests_are_skipped_outside_CI_and_fail_under_it(string? ci, bool skipped)
    {
        const string Problem = "SMTP test peer unavailable: install it with 'apt-get install -y python3-aiosmtpd'.";

        Assert.Equal(skipped ? Problem : null, SmtpTestPeer.SkipReasonFor(Problem, ci));
        Assert.Null(SmtpTestPeer.SkipReasonFor(null, ci));
    }
}
