using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;

namespace MailServerAdmin.Tests.Pages.Account;

/// <summary>What an authenticator app computes from the key it was given: RFC 6238 TOTP, HMAC-SHA1, 30-second steps, 6 digits.</summary>
public static class Totp
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    /// <summary>The code for <paramref name="base32Key"/> (spaces and case ignored, as apps do) at <paramref name="at"/> (now).</summary>
    public static string Code(string base32Key, DateTimeOffset? at = null) =>
        Code(FromBase32(base32Key), (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds() / 30, digits: 6);

    /// <summary>RFC 4226 HOTP of <paramref name="counter"/>, the RFC 6238 time step.</summary>
    public static string Code(byte[] key, long counter, int digits)
    {
        Span<byte> message = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(message, counter);
#pragma warning disable CA5350 // RFC 6238 codes are HMAC-SHA1, as authenticator apps compute them.
        var hash = HMACSHA1.HashData(key, message);
#pragma warning restore CA5350
        var offset = hash[^1] & 0x0F;
        var binary = BinaryPrimitives.ReadInt32BigEndian(hash.AsSpan(offset, 4)) & 0x7FFFFFFF;
        return (binary % (int)Math.Pow(10, digits)).ToString(new string('0', digits), CultureInfo.InvariantCulture);
    }

    public static byte[] FromBase32(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var c in text.ToUpperInvariant().Where(c => c is not (' ' or '-' or '=')))
        {
            var value = Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (value < 0)
            {
                throw new FormatException($"'{c}' is not a base32 letter.");
            }

            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                bytes.Add((byte)(buffer >> bits));
                buffer &= (1 << bits) - 1;
            }
        }

        return [.. bytes];
    }
}

public sealed class TotpTests
{
    [Theory]
    [InlineData(59, "94287082")]
    [InlineData(1111111109, "07081804")]
    [InlineData(2000000000, "69279037")]
    public void The_helper_computes_the_codes_of_RFC_6238(long unixTime, string expected)
    {
        // RFC 6238 appendix B, SHA1: the ASCII key "12345678901234567890", 8 digits.
        var key = "12345678901234567890"u8.ToArray();

        Assert.Equal(expected, Totp.Code(key, unixTime / 30, digits: 8));
    }

    [Fact]
    public void Base32_keys_are_read_as_apps_read_them()
    {
        Assert.Equal("12345678901234567890"u8.ToArray(), Totp.FromBase32("gezd gnbv gy3t qojq gezd gnbv gy3t qojq"));
    }
}
