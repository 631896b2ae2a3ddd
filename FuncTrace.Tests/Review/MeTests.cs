using System.Net;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Review;

public sealed class MeTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    [Fact]
    public async Task MeTellsAKeyItsIdTenantAndRoles()
    {
        var tenant = FuncTraceApp.NewTenant();
        using var client = app.ClientWithKey(await app.CreateKeyAsync(tenant, "review", "ingest"));

        using var response = await client.GetAsync("/api/me");

        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Matches("^key_[0-9a-f]{16}$", body.GetProperty("key_id").GetString());
        Assert.Equal(tenant, body.GetProperty("tenant").GetString());
        Assert.Equal(["ingest", "review"], body.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task MeAnswersForAKeyOfAnyRole()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));

        using var response = await client.GetAsync("/api/me");

        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal(["ingest"], body.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task MeForTheBootstrapAdminKeyNamesNoTenant()
    {
        using var client = app.AdminClient();

        using var response = await client.GetAsync("/api/me");

        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, body.GetProperty("tenant").ValueKind);
        Assert.Equal(["admin"], body.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task MeWithoutAKeyOrWithAnUnknownOneIs401()
    {
        using var anonymous = app.ClientWithKey(null);
        using var unknown = app.ClientWithKey("ftk_not-a-key");

        using var withoutKey = await anonymous.GetAsync("/api/me");
        using var withUnknownKey = await unknown.GetAsync("/api/me");

        await ApiAssert.ErrorAsync(withoutKey, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        await ApiAssert.ErrorAsync(withUnknownKey, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }
}
