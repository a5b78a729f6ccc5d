namespace MailServerAdmin.Tests.Infrastructure.Smtp;

public sealed class SmtpTestPeerTests
{
    [Fact]
    public void Embedded_script_is_smtp_peer_py()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        var relative = Path.Combine("Infrastructure", "Smtp", "smtp_peer.py");
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, relative)))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        var source = File.ReadAllText(Path.Combine(directory.FullName, relative));
        Assert.True(source.TrimEnd('\n') == SmtpPeerScript.Source.ReplaceLineEndings("\n"),
            "SmtpPeerScript.cs is out of date: run sync-script.sh");
    }

    [Fact]
    public void Availability_is_reported_with_the_install_hint()
    {
        Assert.Equal(SmtpTestPeer.IsAvailable, SmtpTestPeer.UnavailableReason is null);
        if (!SmtpTestPeer.IsAvailable)
        {
            Assert.Contains("apt-get install -y python3-aiosmtpd", SmtpTestPeer.UnavailableReason, StringComparison.Ordinal);
        }
    }
}
