using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using ReportPipeline.Domain.Catalog;

namespace ReportPipeline.Domain.Tests.Architecture;

/// <summary>
/// The domain parses what it is given; where the catalog and the registry come from (a folder, blob storage) is an
/// adapter's business behind a port. This reads the compiled domain assembly's references, so nothing slips in
/// through a helper or a using alias.
/// </summary>
public sealed class NoFileSystemTests
{
    // Types whose every use reaches the file system.
    private static readonly HashSet<string> s_refusedTypes = new(StringComparer.Ordinal)
    {
        "System.IO.File", "System.IO.Directory", "System.IO.FileInfo", "System.IO.DirectoryInfo", "System.IO.FileSystemInfo",
        "System.IO.FileStream", "System.IO.FileStreamOptions", "System.IO.Path", "System.IO.DriveInfo", "System.IO.FileSystemWatcher",
        "System.IO.RandomAccess", "System.IO.EnumerationOptions", "Microsoft.Win32.SafeHandles.SafeFileHandle",
    };

    private static readonly string[] s_refusedNamespaces = ["System.IO.Enumeration", "System.IO.MemoryMappedFiles", "System.IO.IsolatedStorage"];

    // Of System.Environment only what names no folder and reads no setting: the compiler's iterators ask for the thread id,
    // and messages may end lines. Its other members are the current directory, special folders and environment variables.
    private static readonly HashSet<string> s_allowedEnvironmentMembers = new(StringComparer.Ordinal)
    {
        "get_CurrentManagedThreadId", "get_NewLine", "get_ProcessorCount", "get_TickCount", "get_TickCount64",
    };

    // Members of otherwise harmless types that open files or name the install folder.
    private static readonly HashSet<string> s_refusedMembers = new(StringComparer.Ordinal)
    {
        "System.AppContext.get_BaseDirectory",
        "System.Reflection.Assembly.get_Location",
    };

    [Fact]
    public void The_domain_assembly_references_no_file_system_api()
    {
        var found = FileSystemReferences(typeof(CatalogLoader).Assembly.Location);

        Assert.True(found.Count == 0, "The domain reaches the file system through: " + string.Join(", ", found));
    }

    private static SortedSet<string> FileSystemReferences(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var found = new SortedSet<string>(StringComparer.Ordinal);

        foreach (var handle in metadata.TypeReferences)
        {
            var name = TypeName(metadata, handle);
            if (s_refusedTypes.Contains(name) || s_refusedNamespaces.Any(ns => name.StartsWith(ns + ".", StringComparison.Ordinal)))
            {
                found.Add(name);
            }
        }

        foreach (var handle in metadata.MemberReferences)
        {
            var member = metadata.GetMemberReference(handle);
            if (member.Parent.Kind != HandleKind.TypeReference)
            {
                continue;
            }

            var type = TypeName(metadata, (TypeReferenceHandle)member.Parent);
            var name = metadata.GetString(member.Name);
            if (s_refusedMembers.Contains(type + "." + name)
                || (type == "System.Environment" && !s_allowedEnvironmentMembers.Contains(name))
                || (name == ".ctor" && OpensAPath(metadata, type, member)))
            {
                found.Add(type + "." + name);
            }
        }

        return found;
    }

    // new StreamReader("path"), new StreamWriter("path"): the reader and writer types are fine over a stream, not over a path.
    private static bool OpensAPath(MetadataReader metadata, string type, MemberReference constructor)
    {
        if (type is not ("System.IO.StreamReader" or "System.IO.StreamWriter"))
        {
            return false;
        }

        var signature = metadata.GetBlobReader(constructor.Signature);
        _ = signature.ReadSignatureHeader();
        var parameters = signature.ReadCompressedInteger();
        _ = signature.ReadSignatureTypeCode(); // return type: void
        return parameters > 0 && signature.ReadSignatureTypeCode() == SignatureTypeCode.String;
    }

    private static string TypeName(MetadataReader metadata, TypeReferenceHandle handle)
    {
        var type = metadata.GetTypeReference(handle);
        var name = metadata.GetString(type.Name);
        return type.ResolutionScope.Kind == HandleKind.TypeReference
            ? TypeName(metadata, (TypeReferenceHandle)type.ResolutionScope) + "+" + name
            : metadata.GetString(type.Namespace) + "." + name;
    }
}
