using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Hl7Mllp.Receiving;

namespace Hl7Mllp.Tests.Security;

/// <summary>
/// RELIABILITY D6 (CVE-2023-43208 / -37679 in other engines): no management endpoint and no polymorphic
/// deserialization anywhere a peer's bytes could reach. The analyzers (CA2300-series as errors in .editorconfig) stop
/// new uses at build time; this checks what the shipped assemblies actually reference.
/// </summary>
public sealed class AttackSurfaceTests
{
    private static readonly string[] ForbiddenTypes =
    [
        "System.Runtime.Serialization.Formatters.Binary.BinaryFormatter",
        "System.Runtime.Serialization.NetDataContractSerializer",
        "System.Runtime.Serialization.Formatters.Soap.SoapFormatter",
        "System.Web.UI.LosFormatter",
        "System.Web.UI.ObjectStateFormatter",
        "System.Web.Script.Serialization.JavaScriptSerializer",
        "System.Runtime.Serialization.DataContractSerializer",
        "System.Xml.Serialization.XmlSerializer",
        "System.Net.HttpListener",
    ];

    public static TheoryData<string> ShippedAssemblies() =>
    [
        typeof(MllpListener).Assembly.Location,
        typeof(Hl7Mllp.Cli.CliApp).Assembly.Location,
    ];

    [Theory]
    [MemberData(nameof(ShippedAssemblies))]
    public void D6_ShippedAssembly_ReferencesNoPolymorphicDeserializerAndNoHttpServer(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new PEReader(stream);
        MetadataReader metadata = reader.GetMetadataReader();

        var referenced = metadata.TypeReferences
            .Select(handle => metadata.GetTypeReference(handle))
            .Select(type => metadata.GetString(type.Namespace) + "." + metadata.GetString(type.Name))
            .ToHashSet(StringComparer.Ordinal);
        var assemblies = metadata.AssemblyReferences
            .Select(handle => metadata.GetString(metadata.GetAssemblyReference(handle).Name))
            .ToList();

        referenced.Should().Contain("System.Object", "the check reads real type references");
        referenced.Should().NotContain(ForbiddenTypes);
        assemblies.Should().NotContain(name => name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal), "there is no management endpoint");
    }
}
