namespace Hl7Mllp.IntegrationTests.Receiving;

/// <summary>One <see cref="TestPki"/> per test class: RSA key generation takes a moment.</summary>
public sealed class TestPkiFixture : IDisposable
{
    internal TestPki Pki { get; } = TestPki.Create();

    public void Dispose() => Pki.Dispose();
}
