using FluentValidation;
using FluentValidation.AspNetCore;
using MailServerAdmin.Web.Administrators;
using MailServerAdmin.Web.Data;
using MailServerAdmin.Web.Localization;
using MailServerAdmin.Web.Security;
using MailServerAdmin.Web.Sending;

var builder = WebApplication.CreateBuilder(args);

builder.AddMailDelivery();
builder.AddAdminAccess();
builder.Services.AddScoped<MailServerAdmin.Web.Pages.MailServers.MailServerFormServices>();

builder.Services.AddAppLocalization();
builder.Services.AddRazorPages().AddAppLocalization();
builder.Services.AddValidatorsFromAssemblyContaining<Program>();
builder.Services.AddFluentValidationClientsideAdapters();

var app = builder.Build();

await app.MigrateDatabaseAsync();
await app.Services.GetRequiredService<SetupCode>().AnnounceIfNeededAsync(app.Services);

app.UseSecurityHeaders();
app.UseRequestLocalization();
if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error");
    app.UseHsts();
    app.UseHttpsRedirection();
}

app.UseStatusCodePages(AppLocalization.StatusCodePageAsync);
app.UseCookiePolicy();
app.UseRouting();
app.UseAuthentication();
app.UseAuthorization();
app.UseTwoFactorRequirement();

app.MapStaticAssets().AllowAnonymous();
app.MapRazorPages().WithStaticAssets();
app.MapGet("/", () => Results.Redirect("/MailServers"));
app.MapCulturePicker();

await app.RunAsync();

/// <summary>The web app's entry point; public so that tests can host it.</summary>
public partial class Program;
