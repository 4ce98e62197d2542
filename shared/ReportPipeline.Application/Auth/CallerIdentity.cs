using System.Diagnostics.CodeAnalysis;

namespace ReportPipeline.Application.Auth;

/// <summary>The roles a token may carry (claim <c>roles</c>); a caller may hold several.</summary>
[Flags]
public enum CallerRoles
{
    None = 0,
    Submitter = 1,
    Viewer = 2,
    Admin = 4,
}

/// <summary>Role names as they appear in tokens (Entra app role values).</summary>
public static class RoleNames
{
    public const string Submitter = "submitter";
    public const string Viewer = "viewer";
    public const string Admin = "admin";

    /// <summary>Parses one role name, ignoring case; unknown names give <see cref="CallerRoles.None"/>.</summary>
    public static CallerRoles Parse(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        Submitter => CallerRoles.Submitter,
        Viewer => CallerRoles.Viewer,
        Admin => CallerRoles.Admin,
        _ => CallerRoles.None,
    };

    /// <summary>The Chinese names a clerk reads in an error message, e.g. <c>填报员（submitter）</c>.</summary>
    public static string Describe(CallerRoles roles)
    {
        var names = new List<string>(3);
        if (roles.HasFlag(CallerRoles.Submitter))
        {
            names.Add("填报员（submitter）");
        }

        if (roles.HasFlag(CallerRoles.Viewer))
        {
            names.Add("查看员（viewer）");
        }

        if (roles.HasFlag(CallerRoles.Admin))
        {
            names.Add("管理员（admin）");
        }

        return names.Count == 0 ? "无角色" : string.Join("、", names);
    }
}

/// <summary>Who is calling, as established from a validated bearer token.</summary>
/// <param name="Subject">The token's <c>sub</c> (or <c>oid</c>); for logs and audit, never for access decisions.</param>
/// <param name="OrgCode">The 12-digit division code of the caller's unit (claim <c>org</c>).</param>
/// <param name="Roles">Every known role in the token; never <see cref="CallerRoles.None"/>.</param>
/// <param name="Dept">The department (claim <c>dept</c>), when the token names one.</param>
public sealed record CallerIdentity(string Subject, string OrgCode, CallerRoles Roles, string? Dept)
{
    public bool IsInRole(CallerRoles role) => (Roles & role) != 0;
}

/// <summary>Syntax of org codes (统计用区划代码): exactly 12 ASCII digits.</summary>
public static class OrgCodes
{
    public const int Length = 12;

    public static bool IsWellFormed([NotNullWhen(true)] string? code)
    {
        if (code is null || code.Length != Length)
        {
            return false;
        }

        foreach (var c in code)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
