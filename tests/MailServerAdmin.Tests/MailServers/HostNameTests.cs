using MailServerAdmin.MailServers;

namespace MailServerAdmin.Tests.MailServers;

public sealed class HostNameTests
{
    [Theory]
    [InlineData("smtp.office365.com", "smtp.office365.com")]
    [InlineData("SMTP.Gmail.COM", "smtp.gmail.com")]
    [InlineData("localhost", "localhost")]
    [InlineData("mail-1.example.org.", "mail-1.example.org")]
    [InlineData("192.0.2.25", "192.0.2.25")]
    [InlineData("::1", "::1")]
    [InlineData("[2001:db8::1]", "2001:db8::1")]
    [InlineData("bücher.example", "bücher.example")]
    public void Accepts_dns_names_and_ip_literals(string input, string normalized) =>
        Assert.Equal(normalized, HostName.Normalize(input));

    [Theory]
    [InlineData("")]
    [InlineData("smtp example.com")]
    [InlineData("smtp_relay.example.com")]
    [InlineData("-bad.example.com")]
    [InlineData("bad-.example.com")]
    [InlineData("a..b")]
    [InlineData("256.1.1.1")]
    [InlineData("10.1")]
    [InlineData("1")]
    [InlineData("[192.0.2.1]")]
    [InlineData("2001:db8::zz")]
    [InlineData("smtp.example.com:587")]
    public void Rejects_anything_else(string input) => Assert.Null(HostName.Normalize(input));
}
