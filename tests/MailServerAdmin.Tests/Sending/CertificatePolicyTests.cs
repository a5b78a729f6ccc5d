using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MailServerAdmin.MailServers;
using MailServerAdmin.Sending;

namespace MailServerAdmin.Tests.Sending;

/// <summary>
/// The one rule of which certificates a connection accepts, on real chains built by X509Chain: a private CA trusted
/// for the test (as an installed CA is), a leaf whose revocation list is unreachable or lists it as revoked.
/// </summary>
public sealed class CertificatePolicyTests
{
    /// <summary>What the app registers outside tests: MailKit's own validation (the trust store, the name, the dates).</summary>
    private static readonly ServerCertificateValidation SystemValidation = SmtpSessionClient.ValidateAsMailKitDoes;

    [Fact]
    public void A_trusted_certificate_whose_revocation_list_cannot_be_reached_is_accepted_with_a_warning()
    {
        using var pki = TestPki.Create(UnreachableCrlUrl());
        using var chain = pki.BuildChain();
        Assert.Equal(
            X509ChainStatusFlags.RevocationStatusUnknown | X509ChainStatusFlags.OfflineRevocation,
            CertificatePolicy.StatusOf(chain));

        var verdict = CertificatePolicy.Decide(SystemValidation, pin: null, this, pki.Leaf, chain, SslPolicyErrors.RemoteCertificateChainErrors);

        Assert.Equal(CertificateVerdict.RevocationUnknown, verdict);
        Assert.True(verdict.IsAccepted());
        var step = CertificateCheck.Capture(pki.Leaf, chain, SslPolicyErrors.RemoteCertificateChainErrors, verdict)
            .AcceptedStep(MailServerAdmin.Localization.LocalizableText.Of("Smtp_Step_EncryptedStartTls", "TLS 1.3"));
        Assert.Equal((SmtpStep.Tls, SmtpStepOutcome.Warning), (step.Step, step.Outcome));
        Assert.Equal(
            "Encrypted after STARTTLS: TLS 1.3. The revocation status could not be checked: no revocation list or OCSP "
            + "answer could be obtained for CN=relay.internal.",
            step.Detail);
        Assert.Contains("a revoked certificate is still refused", step.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_its_authority_has_revoked_is_refused()
    {
        await using var crlServer = await CrlServer.StartAsync();
        using var pki = TestPki.Create(crlServer.Url);
        crlServer.Serve(pki.RevocationList(revokeLeaf: true));
        using var chain = pki.BuildChain();
        Assert.Equal(X509ChainStatusFlags.Revoked, CertificatePolicy.StatusOf(chain) & X509ChainStatusFlags.Revoked);

        var verdict = CertificatePolicy.Decide(SystemValidation, pin: null, this, pki.Leaf, chain, SslPolicyErrors.RemoteCertificateChainErrors);

        Assert.Equal(CertificateVerdict.Refused, verdict);
        var failure = CertificateCheck.Capture(pki.Leaf, chain, SslPolicyErrors.RemoteCertificateChainErrors, verdict).Explain("relay.internal");
        Assert.Equal(SmtpFailureKind.CertificateRevoked, failure.Kind);
        Assert.Contains("its issuer has revoked it", failure.Message, StringComparison.Ordinal);
        Assert.Null(failure.PinnableCertificate);
        Assert.True(crlServer.Requests > 0, "the revocation list was never fetched");
    }

    [Fact]
    public async Task A_certificate_the_reachable_revocation_list_does_not_name_is_trusted_without_a_warning()
    {
        await using var crlServer = await CrlServer.StartAsync();
        using var pki = TestPki.Create(crlServer.Url);
        crlServer.Serve(pki.RevocationList(revokeLeaf: false));
        using var chain = pki.BuildChain();

        var errors = chain.Build(pki.Leaf) ? SslPolicyErrors.None : SslPolicyErrors.RemoteCertificateChainErrors;
        var verdict = CertificatePolicy.Decide(SystemValidation, pin: null, this, pki.Leaf, chain, errors);

        Assert.Equal(CertificateVerdict.Trusted, verdict);
        var step = CertificateCheck.Capture(pki.Leaf, chain, errors, verdict)
            .AcceptedStep(MailServerAdmin.Localization.LocalizableText.Of("Smtp_Step_EncryptedStartTls", "TLS 1.3"));
        Assert.Equal(SmtpStepOutcome.Passed, step.Outcome);
    }

    [Fact]
    public void An_unknown_revocation_status_does_not_excuse_another_problem()
    {
        using var pki = TestPki.Create(UnreachableCrlUrl());
        using var chain = pki.BuildChain();

        // The name does not match: refused, and the reason given is the name, not the revocation status.
        var errors = SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch;
        var verdict = CertificatePolicy.Decide(SystemValidation, pin: null, this, pki.Leaf, chain, errors);

        Assert.Equal(CertificateVerdict.Refused, verdict);
        var failure = CertificateCheck.Capture(pki.Leaf, chain, errors, verdict).Explain("mail.example.com");
        Assert.Equal(SmtpFailureKind.CertificateNameMismatch, failure.Kind);
        Assert.DoesNotContain("revoked", failure.Message, StringComparison.Ordinal);

        // Without the private CA in the trust store: untrusted, whatever the revocation status.
        using var untrusted = new X509Chain();
        untrusted.ChainPolicy.RevocationMode = X509RevocationMode.Online;
        untrusted.Build(pki.Leaf);
        Assert.Equal(
            CertificateVerdict.Refused,
            CertificatePolicy.Decide(SystemValidation, pin: null, this, pki.Leaf, untrusted, SslPolicyErrors.RemoteCertificateChainErrors));
    }

    [Fact]
    public async Task A_pin_accepts_exactly_the_pinned_certificate_whatever_its_chain_says()
    {
        await using var crlServer = await CrlServer.StartAsync();
        using var pki = TestPki.Create(crlServer.Url);
        crlServer.Serve(pki.RevocationList(revokeLeaf: false));
        using var chain = pki.BuildChain();
        using var other = TestPki.Create(UnreachableCrlUrl());
        var pin = CertificateFingerprint.Of(other.Leaf);

        // A certificate the system trusts is refused when the server is pinned to another one.
        Assert.Equal(CertificateVerdict.PinMismatch, CertificatePolicy.Decide(SystemValidation, pin, this, pki.Leaf, chain, SslPolicyErrors.None));

        // The pinned one is accepted with an untrusted chain and another name.
        using var untrusted = new X509Chain();
        untrusted.Build(other.Leaf);
        var errors = SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch;
        Assert.Equal(CertificateVerdict.Pinned, CertificatePolicy.Decide(SystemValidation, pin, this, other.Leaf, untrusted, errors));
        Assert.Equal(CertificateVerdict.Pinned, CertificatePolicy.Decide(SystemValidation, pin.Replace(":", "", StringComparison.Ordinal).ToLowerInvariant(), this, other.Leaf, untrusted, errors));

        // No certificate at all is never accepted, pinned or not.
        Assert.Equal(CertificateVerdict.Refused, CertificatePolicy.Decide(SystemValidation, pin, this, null, null, SslPolicyErrors.RemoteCertificateNotAvailable));
    }

    [Fact]
    public void A_fingerprint_is_the_SHA256_of_the_DER_certificate_in_upper_case_hex_with_colons()
    {
        using var pki = TestPki.Create(UnreachableCrlUrl());
        var hex = Convert.ToHexString(SHA256.HashData(pki.Leaf.RawData));

        var fingerprint = CertificateFingerprint.Of(pki.Leaf);

        Assert.Equal(string.Join(':', hex.Chunk(2).Select(pair => new string(pair))), fingerprint);
        Assert.Equal(CertificateFingerprint.TextLength, fingerprint.Length);
        Assert.Equal(fingerprint, CertificateFingerprint.Normalize(hex.ToLowerInvariant()));
        Assert.Equal(fingerprint, CertificateFingerprint.Normalize($"  {fingerprint.ToLowerInvariant()} "));
        Assert.Null(CertificateFingerprint.Normalize(hex[..62]));
        Assert.Null(CertificateFingerprint.Normalize(hex[..63] + "G"));
        Assert.Null(CertificateFingerprint.Normalize(":" + hex[..62]));
        Assert.Null(CertificateFingerprint.Normalize(fingerprint[..^2] + ":0"));
        Assert.Null(CertificateFingerprint.Normalize("  "));
    }

    /// <summary>An http URL on 127.0.0.1 where nothing listens.</summary>
    private static string UnreachableCrlUrl()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}/{Guid.NewGuid():N}/ca.crl";
    }

    /// <summary>A private CA and a leaf for relay.internal whose CRL distribution point is the URL given to <see cref="Create"/>.</summary>
    private sealed class TestPki : IDisposable
    {
        private static readonly byte[] LeafSerial = [0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x01];

        private TestPki(X509Certificate2 authority, X509Certificate2 leaf)
        {
            Authority = authority;
            Leaf = leaf;
        }

        public X509Certificate2 Authority { get; }

        public X509Certificate2 Leaf { get; }

        public static TestPki Create(string crlUrl)
        {
            var now = DateTimeOffset.UtcNow;
            using var authorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var authorityRequest = new CertificateRequest("CN=Test Relay CA", authorityKey, HashAlgorithmName.SHA256);
            authorityRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            authorityRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            authorityRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(authorityRequest.PublicKey, false));
            var authority = authorityRequest.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));

            using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var leafRequest = new CertificateRequest("CN=relay.internal", leafKey, HashAlgorithmName.SHA256);
            leafRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
            leafRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("relay.internal");
            leafRequest.CertificateExtensions.Add(names.Build());
            leafRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, true, false));
            leafRequest.CertificateExtensions.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension([crlUrl]));
            var leaf = leafRequest.Create(authority, now.AddDays(-1), now.AddDays(90), LeafSerial);
            return new TestPki(authority, leaf);
        }

        /// <summary>The CA's revocation list, naming the leaf or not.</summary>
        public byte[] RevocationList(bool revokeLeaf)
        {
            var builder = new CertificateRevocationListBuilder();
            if (revokeLeaf)
            {
                builder.AddEntry(LeafSerial, DateTimeOffset.UtcNow.AddMinutes(-5), X509RevocationReason.KeyCompromise);
            }

            return builder.Build(Authority, 1, DateTimeOffset.UtcNow.AddDays(7), HashAlgorithmName.SHA256);
        }

        /// <summary>The leaf's chain with the CA trusted (as an installed private CA is) and revocation checked online.</summary>
        public X509Chain BuildChain()
        {
            var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(Authority);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.Online;
            chain.ChainPolicy.RevocationFlag = X509RevocationFlag.EntireChain;
            chain.ChainPolicy.UrlRetrievalTimeout = TimeSpan.FromSeconds(5);
            chain.Build(Leaf);
            return chain;
        }

        public void Dispose()
        {
            Leaf.Dispose();
            Authority.Dispose();
        }
    }

    /// <summary>A one-file HTTP server on 127.0.0.1 that answers every request with a revocation list.</summary>
    private sealed class CrlServer : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private byte[] _crl = [];
        private int _requests;

        private CrlServer(TcpListener listener)
        {
            _listener = listener;
            Url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/{Guid.NewGuid():N}/ca.crl";
            _loop = Task.Run(ServeAsync);
        }

        public string Url { get; }

        public int Requests => Volatile.Read(ref _requests);

        public static Task<CrlServer> StartAsync()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return Task.FromResult(new CrlServer(listener));
        }

        public void Serve(byte[] crl) => Volatile.Write(ref _crl, crl);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            try
            {
                await _loop;
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }

            _stop.Dispose();
        }

        private async Task ServeAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var stream = client.GetStream();
                var request = new StringBuilder();
                var buffer = new byte[1024];
                while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var read = await stream.ReadAsync(buffer, _stop.Token);
                    if (read == 0)
                    {
                        break;
                    }

                    request.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }

                Interlocked.Increment(ref _requests);
                var crl = Volatile.Read(ref _crl);
                var head = $"HTTP/1.1 200 OK\r\nContent-Type: application/pkix-crl\r\nContent-Length: {crl.Length}\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
                await stream.WriteAsync(crl, _stop.Token);
            }
        }
    }
}
