using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Web.Administrators;

/// <summary>
/// The one-time code that lets the first administrator be created. It exists only while no administrator
/// does, lives only in memory, and is written to the console log at start so that only whoever can read the
/// server's log can claim the installation.
/// </summary>
public sealed partial class SetupCode(ILogger<SetupCode> logger)
{
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    private readonly Lock _lock = new();
    private string? _code;

    public bool IsActive
    {
        get
        {
            lock (_lock)
            {
                return _code is not null;
            }
        }
    }

    /// <summary>At start: when no administrator exists, makes a code and logs it.</summary>
    public async Task AnnounceIfNeededAsync(IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        if (await users.Users.AnyAsync(ct))
        {
            return;
        }

        string code;
        lock (_lock)
        {
            _code ??= NewCode();
            code = _code;
        }

        LogSetupCode(logger, code);
    }

    /// <summary>Compares in constant time.</summary>
    public bool Matches(string? candidate)
    {
        lock (_lock)
        {
            if (_code is null || candidate is null)
            {
                return false;
            }

            var normalized = candidate.Trim().Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
            return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(normalized), Encoding.ASCII.GetBytes(_code));
        }
    }

    /// <summary>Once the first administrator exists, the code is spent.</summary>
    public void Spend()
    {
        lock (_lock)
        {
            _code = null;
        }
    }

    private static string NewCode()
    {
        // 16 characters from a 32-letter alphabet: 80 bits, shown in groups of four.
        var chars = RandomNumberGenerator.GetItems<char>(Alphabet, 16);
        return $"{new string(chars, 0, 4)}-{new string(chars, 4, 4)}-{new string(chars, 8, 4)}-{new string(chars, 12, 4)}";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No administrator exists yet. Open /setup in a browser and enter this one-time set-up code to create the first administrator: {SetupCode}")]
    private static partial void LogSetupCode(ILogger logger, string setupCode);
}
