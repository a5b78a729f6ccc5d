using MailServerAdmin.Tests.Infrastructure;

namespace MailServerAdmin.Tests.Localization;

/// <summary>A broken rule is explained beside its field in the reader's language.</summary>
public sealed class ValidationLanguageTests(PageLanguageTests.Site site) : IClassFixture<PageLanguageTests.Site>
{
    public static TheoryData<string, string, string, string> Messages => new()
    {
        { "es", "Input.Name", "", "Introduzca un nombre para el servidor." },
        { "pt-BR", "Input.Name", "", "Informe um nome para o servidor." },
        { "es", "Input.Port", "70000", "El puerto debe ser un número entre 1 y 65535." },
        { "pt-BR", "Input.Port", "70000", "A porta deve ser um número de 1 a 65535." },
        { "es", "Input.Port", "smtp", "El valor 'smtp' no es válido para Puerto." },
        { "pt-BR", "Input.Port", "smtp", "O valor 'smtp' não é válido para Porta." },
        { "es", "Input.Name", new string('n', 101), "El nombre puede tener como máximo 100 caracteres." },
        { "pt-BR", "Input.SenderEmail", "not-an-address", "Informe um endereço de e-mail como mail@example.com." },
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public async Task A_broken_rule_is_explained_beside_the_field_in_the_readers_language(string culture, string field, string value, string message)
    {
        var client = await Translated.BrowserAsync(site.App, culture);
        var form = await client.GetPageAsync("/MailServers/Create");

        var page = await client.SubmitAndReadAsync(form, ServerForms.Basic("Valid name").With(field, value));

        Assert.Equal("/MailServers/Create", page.Location.PathName);
        Assert.Equal(message, page.ErrorFor(field));
    }

    [Theory]
    [InlineData("es", "Este servidor OAuth no se puede guardar hasta que se rellenen todos los campos. Falta: ID de cliente, token de acceso, token de actualización.")]
    [InlineData("pt-BR", "Este servidor OAuth não pode ser salvo até que todos os campos sejam preenchidos. Faltam: ID do cliente, token de acesso, token de atualização.")]
    public async Task The_complete_token_rule_names_what_is_missing_in_the_readers_language(string culture, string message)
    {
        var client = await Translated.BrowserAsync(site.App, culture);
        var form = await client.GetPageAsync("/MailServers/Create");

        var page = await client.SubmitAndReadAsync(form, ServerForms.Basic("Sin tokens", password: null)
            .With("Input.AuthenticationType", "OAuth")
            .With("Input.Provider", "Manual")
            .With("Input.TokenUrl", "https://auth.example.net/token"));

        Assert.Contains(message, page.ValidationSummary(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("es", "Introduzca su correo electrónico.", "Introduzca su contraseña.")]
    [InlineData("pt-BR", "Informe o seu e-mail.", "Informe a sua senha.")]
    public async Task Sign_in_explains_what_is_missing_in_the_readers_language(string culture, string email, string password)
    {
        var client = site.App.CreateAnonymousBrowser().Speaking(culture);
        var login = await client.GetPageAsync("/Account/Login");

        var page = await client.SubmitAndReadAsync(login, new Dictionary<string, string?> { ["Input.Email"] = "", ["Input.Password"] = "" });

        Assert.Equal(email, page.ErrorFor("Input.Email"));
        Assert.Equal(password, page.ErrorFor("Input.Password"));
    }
}
