using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.Data;
using Microsoft.Extensions.DependencyInjection;

namespace MailServerAdmin.Tests.Data;

public sealed class ModelCacheTests
{
    [Fact]
    public async Task The_model_is_built_once_per_app_not_once_per_request()
    {
        using var app = new AppFactory();
        await using var first = app.Services.CreateAsyncScope();
        await using var second = app.Services.CreateAsyncScope();

        var a = first.ServiceProvider.GetRequiredService<AppDbContext>().Model;
        var b = second.ServiceProvider.GetRequiredService<AppDbContext>().Model;

        Assert.Same(a, b);
    }
}
