using System.Reflection;
using System.Text.RegularExpressions;
using OrleansLicensing.Gateway;
using OrleansLicensing.Gateway.Hosting;
using OrleansLicensing.Gateway.Infrastructure;
using OrleansLicensing.ProcessTests;
using OrleansLicensing.Silo;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace OrleansLicensing.PostgreSqlTests;

/// <summary>
/// There is no container engine here, so the deployment material (deploy/Dockerfile.*,
/// deploy/compose.yaml, deploy/k8s) is checked against the code instead: every manifest
/// parses, every <c>Section__Key</c> variable is a settings property the nodes bind and a
/// documented key, ports and probe paths agree with what the processes serve, image names
/// agree with the Dockerfiles, and the migration runs the silo's <c>migrate</c> verb.
/// </summary>
public sealed partial class DeploymentManifestTests
{
    private const string SiloImage = "orleans-licensing/silo";
    private const string GatewayImage = "orleans-licensing/gateway";

    private static readonly string Deploy = Path.Combine(NodeProcess.RepositoryRoot, "deploy");

    /// <summary>Settings classes by configuration section: what the silo and gateway processes bind.</summary>
    private static readonly Dictionary<string, Type[]> SettingsBySection = new(StringComparer.Ordinal)
    {
        [StorageSettings.Section] = [typeof(StorageSettings)],
        [SiloSettings.Section] = [typeof(SiloSettings), typeof(ClusterClientSettings)],
        [LicensingSettings.Section] = [typeof(LicensingSettings), typeof(CredentialSettings)],
        [GatewaySettings.Section] = [typeof(GatewaySettings)],
    };

    /// <summary>Variables without a section that the nodes read (ASP.NET Core, OpenTelemetry) or the manifests use themselves.</summary>
    private static readonly HashSet<string> PlainVariables = ["ASPNETCORE_URLS", "DOTNET_NOLOGO", "DOTNET_ThreadPool_UnfairSemaphoreSpinLimit", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SERVICE_NAME", "POD_IP"];

    [Fact]
    public void Every_manifest_parses_and_kustomize_lists_every_Kubernetes_file()
    {
        var files = Directory.GetFiles(Deploy, "*.y*ml", SearchOption.AllDirectories).Where(f => !f.Contains(".local-cluster", StringComparison.Ordinal)).ToArray();
        Assert.True(files.Length >= 10, string.Join(", ", files));
        foreach (var file in files)
        {
            Assert.NotEmpty(Documents(file));
        }

        var kustomization = Map(Documents(Path.Combine(Deploy, "k8s", "kustomization.yaml")).Single());
        var resources = List(kustomization["resources"]).Cast<string>().ToArray();
        var manifests = Directory.GetFiles(Path.Combine(Deploy, "k8s"), "*.yaml").Select(Path.GetFileName).Where(n => n != "kustomization.yaml");
        Assert.Equal(manifests.Order(), resources.Order());
        Assert.Equal([GatewayImage, SiloImage], List(kustomization["images"]).Select(i => (string)Map(i)["name"]).Order());
    }

    [Fact]
    public void Every_configuration_variable_is_a_bound_settings_property_and_a_documented_key()
    {
        var documented = DocumentedKeys();
        var variables = LicensingContainers().SelectMany(c => c.Environment.Keys)
            .Concat(Dockerfiles().SelectMany(d => d.Environment.Keys))
            .Distinct().ToArray();
        Assert.Contains("Storage__ConnectionStringFile", variables);
        Assert.Contains("Orleans__AdvertisedAddress", variables);

        foreach (var variable in variables)
        {
            if (!variable.Contains("__", StringComparison.Ordinal))
            {
                Assert.True(PlainVariables.Contains(variable), $"{variable} is neither a Section__Key nor a known plain variable");
                continue;
            }

            var key = variable.Replace("__", ":", StringComparison.Ordinal);
            Assert.True(IsBound(key), $"{variable}: no settings class binds {key}");
            Assert.True(documented.Contains(key), $"{variable}: {key} is not in the configuration table of docs/operations.md");
        }
    }

    [Fact]
    public void Ports_probes_and_images_agree_with_the_Dockerfiles_and_the_code()
    {
        // The code serves these paths: liveness on every node, readiness from the health checks.
        var telemetry = File.ReadAllText(Path.Combine(NodeProcess.RepositoryRoot, "Gateway", "Infrastructure", "Telemetry.cs"));
        Assert.Contains("MapGet(\"/healthz\"", telemetry, StringComparison.Ordinal);
        Assert.Contains("MapHealthChecks(\"/readyz\"", telemetry, StringComparison.Ordinal);

        var dockerfiles = Dockerfiles().ToDictionary(d => d.Image);
        Assert.Equal([GatewayImage, SiloImage], dockerfiles.Keys.Order());
        foreach (var dockerfile in dockerfiles.Values)
        {
            Assert.True(File.Exists(Path.Combine(NodeProcess.RepositoryRoot, dockerfile.Project, $"OrleansLicensing.{dockerfile.Project}.csproj")), dockerfile.Project);
            Assert.Equal(["dotnet", $"OrleansLicensing.{dockerfile.Project}.dll"], dockerfile.Entrypoint);
            Assert.Contains(UrlPort(dockerfile.Environment["ASPNETCORE_URLS"]), dockerfile.Exposed);
            Assert.Contains("/healthz", dockerfile.HealthCheck, StringComparison.Ordinal);
            Assert.Contains($"/{UrlPort(dockerfile.Environment["ASPNETCORE_URLS"])}", dockerfile.HealthCheck, StringComparison.Ordinal);
            Assert.Matches(@"^USER\s+\$APP_UID$", dockerfile.User);
        }

        Assert.Equal([8080, 11111, 30000], dockerfiles[SiloImage].Exposed.Order());

        foreach (var container in LicensingContainers().Where(c => c.Source.StartsWith("k8s", StringComparison.Ordinal)))
        {
            var dockerfile = dockerfiles[container.Image];
            if (container.Probes.Count == 0)
            {
                continue; // the migration Job
            }

            var http = container.Ports["http"];
            Assert.Equal(UrlPort(container.Environment.GetValueOrDefault("ASPNETCORE_URLS") ?? dockerfile.Environment["ASPNETCORE_URLS"]), http);
            Assert.Contains(http, dockerfile.Exposed);
            Assert.Equal(("/readyz", "http"), container.Probes["readinessProbe"]);
            Assert.Equal(("/healthz", "http"), container.Probes["livenessProbe"]);
            if (container.Image == SiloImage)
            {
                Assert.Equal(int.Parse(container.Environment["Orleans__SiloPort"], System.Globalization.CultureInfo.InvariantCulture), container.Ports["silo"]);
                Assert.Equal(int.Parse(container.Environment["Orleans__GatewayPort"], System.Globalization.CultureInfo.InvariantCulture), container.Ports["orleans-gateway"]);
            }
        }

        // Services reach named ports of the pods they select.
        var k8s = KubernetesObjects().ToArray();
        foreach (var service in k8s.Where(o => (string)o["kind"] == "Service"))
        {
            var selector = Map(Map(service["spec"])["selector"]);
            var deployment = k8s.Single(o => (string)o["kind"] == "Deployment" && Labels(o).Contains(selector.Single()));
            var ports = List(Map(Map(Map(deployment["spec"])["template"])["spec"])["containers"]).SelectMany(c => List(Map(c)["ports"])).Select(p => (string)Map(p)["name"]).ToArray();
            Assert.All(List(Map(service["spec"])["ports"]), p => Assert.Contains((string)Map(p)["targetPort"], ports));
        }

        // Compose builds each image from its Dockerfile; Prometheus scrapes the nodes' HTTP port.
        var services = Map(Map(Documents(Path.Combine(Deploy, "compose.yaml")).Single())["services"]);
        foreach (var (name, value) in services)
        {
            var service = Map(value);
            if (service.TryGetValue("build", out var build))
            {
                var image = ((string)service["image"]).Split(':')[0];
                Assert.Equal(dockerfiles[image].Path, Path.GetFullPath(Path.Combine(Deploy, (string)Map(build)["context"], (string)Map(build)["dockerfile"])));
            }
        }

        var prometheus = File.ReadAllText(Path.Combine(Deploy, "prometheus", "prometheus.yml"));
        var scraped = TargetPort().Matches(prometheus).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).Distinct();
        Assert.Equal([UrlPort(dockerfiles[SiloImage].Environment["ASPNETCORE_URLS"])], scraped);
    }

    [Fact]
    public void The_migration_runs_the_silo_migrate_verb_and_the_secrets_it_names_exist()
    {
        var jobs = KubernetesObjects().Where(o => (string)o["kind"] == "Job").ToArray();
        var job = Map(Map(Map(Assert.Single(jobs)["spec"])["template"])["spec"]);
        var container = Map(Assert.Single(List(job["containers"])));
        Assert.Equal(SiloImage, (string)container["image"]);
        Assert.True(SchemaMigration.IsRequested([.. List(container["args"]).Cast<string>()]));

        var compose = Map(Map(Map(Documents(Path.Combine(Deploy, "compose.yaml")).Single())["services"])["migrate"]);
        Assert.StartsWith(SiloImage + ":", (string)compose["image"], StringComparison.Ordinal);
        Assert.True(SchemaMigration.IsRequested([.. List(compose["command"]).Cast<string>()]));

        // The nodes themselves never run the migration verb (a silo applies missing scripts at start anyway).
        Assert.All(LicensingContainers().Where(c => c.Probes.Count > 0), c => Assert.False(SchemaMigration.IsRequested([.. c.Arguments]), c.Source));

        // Every secret key a pod reads is in the Secret.
        var secret = KubernetesObjects().Single(o => (string)o["kind"] == "Secret");
        var keys = Map(secret["stringData"]).Keys.ToHashSet();
        var referenced = SecretKeyReferences().ToArray();
        Assert.NotEmpty(referenced);
        Assert.All(referenced, key => Assert.Contains(key, keys));
    }

    private sealed record Container(string Source, string Image, Dictionary<string, string> Environment, Dictionary<string, int> Ports, Dictionary<string, (string Path, string Port)> Probes, string[] Arguments);

    private sealed record Dockerfile(string Path, string Project, string Image, Dictionary<string, string> Environment, int[] Exposed, string[] Entrypoint, string HealthCheck, string User);

    private static bool IsBound(string key)
    {
        if (key == SiloHost.CoHostedKey)
        {
            return true;
        }

        var parts = key.Split(':');
        return parts.Length == 2 && SettingsBySection.TryGetValue(parts[0], out var types)
            && types.Any(t => t.GetProperty(parts[1], BindingFlags.Public | BindingFlags.Instance) is { CanWrite: true });
    }

    private static HashSet<string> DocumentedKeys()
    {
        var text = File.ReadAllText(Path.Combine(NodeProcess.RepositoryRoot, "docs", "operations.md"));
        var table = text[text.IndexOf("## Configuration keys", StringComparison.Ordinal)..];
        return [.. table.Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)).SelectMany(l => BacktickedKey().Matches(l.Split('|')[1]).Select(m => m.Groups[1].Value))];
    }

    private static IEnumerable<Container> LicensingContainers()
    {
        foreach (var resource in KubernetesObjects())
        {
            if (!resource.TryGetValue("spec", out var spec) || !Map(spec).TryGetValue("template", out var template))
            {
                continue;
            }

            foreach (var value in List(Map(Map(template)["spec"])["containers"]))
            {
                var c = Map(value);
                var image = (string)c["image"];
                var env = c.TryGetValue("env", out var e) ? List(e).Select(Map).ToDictionary(v => (string)v["name"], v => v.TryGetValue("value", out var x) ? (string)x : "(from a reference)") : [];
                var ports = c.TryGetValue("ports", out var p) ? List(p).Select(Map).ToDictionary(v => (string)v["name"], v => int.Parse((string)v["containerPort"], System.Globalization.CultureInfo.InvariantCulture)) : [];
                var probes = new Dictionary<string, (string, string)>();
                foreach (var probe in new[] { "readinessProbe", "livenessProbe" })
                {
                    if (c.TryGetValue(probe, out var definition))
                    {
                        var get = Map(Map(definition)["httpGet"]);
                        probes[probe] = ((string)get["path"], (string)get["port"]);
                    }
                }

                var args = c.TryGetValue("args", out var a) ? List(a).Cast<string>().ToArray() : [];
                yield return new Container($"k8s {(string)Map(resource["metadata"])["name"]}", image, env, ports, probes, args);
            }
        }

        var compose = Map(Map(Documents(Path.Combine(Deploy, "compose.yaml")).Single())["services"]);
        foreach (var (name, value) in compose)
        {
            var service = Map(value);
            var image = service.TryGetValue("image", out var i) ? ((string)i).Split(':')[0] : string.Empty;
            if (image is not SiloImage and not GatewayImage)
            {
                continue;
            }

            var env = service.TryGetValue("environment", out var e) ? Map(e).ToDictionary(kv => kv.Key, kv => (string)kv.Value) : [];
            var args = service.TryGetValue("command", out var a) ? List(a).Cast<string>().ToArray() : [];
            var probes = name.StartsWith("silo", StringComparison.Ordinal) || name.StartsWith("gateway", StringComparison.Ordinal) ? new Dictionary<string, (string, string)> { ["image"] = ("/healthz", "http") } : [];
            yield return new Container($"compose {name}", image, env, [], probes, args);
        }
    }

    private static IEnumerable<string> SecretKeyReferences()
    {
        foreach (var resource in KubernetesObjects().Where(o => o.ContainsKey("spec") && Map(o["spec"]).ContainsKey("template")))
        {
            var pod = Map(Map(Map(resource["spec"])["template"])["spec"]);
            foreach (var container in List(pod["containers"]).Select(Map))
            {
                foreach (var env in container.TryGetValue("env", out var e) ? List(e).Select(Map) : [])
                {
                    if (env.TryGetValue("valueFrom", out var from) && Map(from).TryGetValue("secretKeyRef", out var reference))
                    {
                        yield return (string)Map(reference)["key"];
                    }
                }
            }

            foreach (var volume in pod.TryGetValue("volumes", out var v) ? List(v).Select(Map) : [])
            {
                if (volume.TryGetValue("secret", out var secret))
                {
                    foreach (var item in List(Map(secret)["items"]).Select(Map))
                    {
                        yield return (string)item["key"];
                    }
                }
            }
        }
    }

    private static IEnumerable<Dockerfile> Dockerfiles()
    {
        foreach (var path in Directory.GetFiles(Deploy, "Dockerfile.*"))
        {
            // Continuation lines joined, comments dropped: one instruction per line.
            var lines = File.ReadAllText(path).Replace("\\\n", " ", StringComparison.Ordinal).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();
            var runtime = lines.SkipWhile(l => !l.StartsWith("FROM mcr.microsoft.com/dotnet/aspnet", StringComparison.Ordinal)).ToArray();
            Assert.NotEmpty(runtime);
            var environment = runtime.Where(l => l.StartsWith("ENV ", StringComparison.Ordinal))
                .SelectMany(l => EnvPair().Matches(l[4..]).Select(m => (m.Groups[1].Value, m.Groups[2].Value)))
                .ToDictionary(p => p.Item1, p => p.Item2);
            var exposed = runtime.Where(l => l.StartsWith("EXPOSE ", StringComparison.Ordinal)).SelectMany(l => l[7..].Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            var entrypoint = System.Text.Json.JsonSerializer.Deserialize<string[]>(runtime.Single(l => l.StartsWith("ENTRYPOINT ", StringComparison.Ordinal))[11..])!;
            var name = Path.GetFileName(path)["Dockerfile.".Length..];
            var project = lines.Select(l => PublishedProject().Match(l)).Single(m => m.Success).Groups[1].Value;
            yield return new Dockerfile(path, project, $"orleans-licensing/{name}", environment, exposed, entrypoint,
                runtime.Single(l => l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal)), runtime.Single(l => l.StartsWith("USER ", StringComparison.Ordinal)));
        }
    }

    private static int UrlPort(string url) => new Uri(url.Replace("+", "localhost", StringComparison.Ordinal)).Port;

    private static HashSet<KeyValuePair<string, object>> Labels(Dictionary<string, object> deployment) =>
        [.. Map(Map(Map(Map(deployment["spec"])["template"])["metadata"])["labels"])];

    private static IEnumerable<Dictionary<string, object>> KubernetesObjects() =>
        Directory.GetFiles(Path.Combine(Deploy, "k8s"), "*.yaml").Where(f => !f.EndsWith("kustomization.yaml", StringComparison.Ordinal)).SelectMany(Documents).Select(Map);

    private static List<object> Documents(string path)
    {
        var deserializer = new DeserializerBuilder().Build();
        using var reader = new StringReader(File.ReadAllText(path));
        var parser = new MergingParser(new Parser(reader));
        parser.Consume<StreamStart>();
        var documents = new List<object>();
        while (parser.Accept<DocumentStart>(out _))
        {
            if (deserializer.Deserialize<object>(parser) is { } document)
            {
                documents.Add(document);
            }
        }

        return documents;
    }

    private static Dictionary<string, object> Map(object value) =>
        ((Dictionary<object, object>)value).ToDictionary(kv => (string)kv.Key, kv => kv.Value);

    private static List<object> List(object value) => (List<object>)value;

    [GeneratedRegex(@"`([A-Za-z]+:[A-Za-z]+)`")]
    private static partial Regex BacktickedKey();

    [GeneratedRegex(@"([A-Za-z_][A-Za-z0-9_]*)=(\S+)")]
    private static partial Regex EnvPair();

    [GeneratedRegex(@"dotnet publish (\w+)/")]
    private static partial Regex PublishedProject();

    [GeneratedRegex(@"""[\w.-]+:(\d+)""")]
    private static partial Regex TargetPort();
}
