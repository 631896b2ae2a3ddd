using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Faces;

public sealed class RegisteredUserTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    [Fact]
    public async Task ATenantAdminKeyRegistersListsAndRemovesEmailsOfItsOwnTenantCaseInsensitively()
    {
        var tenant = FuncTraceApp.NewTenant();
        using var admin = app.ClientWithKey(await app.CreateKeyAsync(tenant, "admin"));

        using var created = await admin.PostAsJsonAsync("/api/admin/users", new { email = "Eve@Example.COM" });
        using var again = await admin.PostAsJsonAsync("/api/admin/users", new { email = "eve@example.com" });
        var list = await admin.GetFromJsonAsync<JsonElement>("/api/admin/users");
        using var removed = await admin.DeleteAsync("/api/admin/users/EVE@example.com");
        using var removedAgain = await admin.DeleteAsync("/api/admin/users/eve@example.com");

        var body = await ApiAssert.JsonAsync(created, HttpStatusCode.Created);
        Assert.Equal("eve@example.com", body.GetProperty("email").GetString());
        Assert.Equal(tenant, body.GetProperty("tenant").GetString());
        await ApiAssert.JsonAsync(again, HttpStatusCode.OK);
        Assert.Equal(["eve@example.com"], list.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("email").GetString()));
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        await ApiAssert.ErrorAsync(removedAgain, HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task AnotherTenantNeverSeesOrUsesTheseEmails()
    {
        var tenantA = FuncTraceApp.NewTenant();
        var tenantB = FuncTraceApp.NewTenant();
        using var adminA = app.ClientWithKey(await app.CreateKeyAsync(tenantA, "admin"));
        using var adminB = app.ClientWithKey(await app.CreateKeyAsync(tenantB, "admin"));
        using var registered = await adminA.PostAsJsonAsync("/api/admin/users", new { email = "frank@example.com" });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);

        var listB = await adminB.GetFromJsonAsync<JsonElement>("/api/admin/users");
        using var forbidden = await adminB.GetAsync($"/api/admin/users?tenant={tenantA}");
        using var deleteFromB = await adminB.DeleteAsync("/api/admin/users/frank@example.com");
        using var ingestB = ExternalTraceClientTests.PythonClient(app, await app.CreateKeyAsync(tenantB, "ingest"));
        using var submitB = await ingestB.PostAsync("/api/external/trace/submit", ExternalTraceClientTests.Json("""{"email": "frank@example.com", "message": "hi", "metadata": {"chatId": "c"}}"""));

        Assert.Empty(listB.GetProperty("users").EnumerateArray());
        await ApiAssert.ErrorAsync(forbidden, HttpStatusCode.Forbidden, "FORBIDDEN");
        await ApiAssert.ErrorAsync(deleteFromB, HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.Equal("Invalid email: not registered in system", (await ApiAssert.JsonAsync(submitB, HttpStatusCode.OK)).GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("not-an-email")]
    [InlineData("two@@example.com")]
    [InlineData("a b@example.com")]
    [InlineData("nodot@localhost")]
    [InlineData("")]
    public async Task AnInvalidEmailIsAValidationError(string email)
    {
        using var admin = app.ClientWithKey(await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "admin"));

        using var response = await admin.PostAsJsonAsync("/api/admin/users", new { email });

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task TheBootstrapAdminMustNameTheTenant()
    {
        using var admin = app.AdminClient();

        using var response = await admin.PostAsJsonAsync("/api/admin/users", new { email = "g@example.com" });

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task AnIngestKeyCannotManageEmails()
    {
        using var ingest = app.ClientWithKey(await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));

        using var response = await ingest.PostAsJsonAsync("/api/admin/users", new { email = "h@example.com" });

        await ApiAssert.ErrorAsync(response, HttpStatusCode.Forbidden, "FORBIDDEN");
    }
}
