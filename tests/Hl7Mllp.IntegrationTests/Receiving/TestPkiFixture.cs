using Hl7Mllp.Testing.Security;

namespace Hl7Mllp.IntegrationTests.Receiving;

/// <summary>One <see cref="TestCertificates"/> set per test class.</summary>
public sealed class TestPkiFixture : IDisposable
{
    public TestCertificates Pki { get; } = TestCertificates.Create();

    public void Dispose() => Pki.Dispose();
}
