using ReportPipeline.Application.Auth;

namespace ReportPipeline.Application.Reference;

/// <summary>The access policy's view of the org tree, over the registry snapshot the handler loaded just before deciding.</summary>
public sealed class ReferenceOrgHierarchy(ReferenceData reference) : IOrgHierarchy
{
    public bool Exists(string code) => reference.CurrentOrgs.TryGet(code, out _);

    public bool IsSameOrAncestor(string ancestor, string code)
    {
        var orgs = reference.CurrentOrgs;
        return orgs.TryGet(ancestor, out _) && orgs.TryGet(code, out _)
            && (string.Equals(ancestor, code, StringComparison.Ordinal) || orgs.Ancestors(code).Any(a => string.Equals(a.Code, ancestor, StringComparison.Ordinal)));
    }

    public bool IsRoot(string code) => reference.CurrentOrgs.TryGet(code, out var org) && org.ParentCode is null;
}
