namespace MailServerAdmin.Data;

/// <summary>One setting whose value cannot be used, named as it is written in configuration.</summary>
/// <param name="Setting">The setting's path, <c>Database:Provider</c>; as an environment variable, <c>Database__Provider</c>.</param>
/// <param name="Problem">What is wrong with its value and what it takes, in English (a start-up message for the operator).</param>
public sealed record SettingProblem(string Setting, string Problem)
{
    public override string ToString() => $"{Setting}: {Problem}";
}

/// <summary>Settings that stop the app from starting; the message names each of them.</summary>
public sealed class InvalidSettingsException : Exception
{
    public InvalidSettingsException()
        : this([])
    {
    }

    public InvalidSettingsException(string message)
        : this([new SettingProblem("", message)])
    {
    }

    public InvalidSettingsException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [new SettingProblem("", message)];
    }

    public InvalidSettingsException(IReadOnlyList<SettingProblem> problems)
        : base(Describe(problems))
    {
        Problems = problems;
    }

    public IReadOnlyList<SettingProblem> Problems { get; }

    private static string Describe(IReadOnlyList<SettingProblem> problems) =>
        "Invalid configuration:" + string.Concat(problems.Select(p => Environment.NewLine + "  " + p));
}
