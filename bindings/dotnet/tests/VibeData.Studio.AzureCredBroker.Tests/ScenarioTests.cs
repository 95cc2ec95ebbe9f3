using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using NUnit.Framework;
using VibeData.Studio.AzureCredBroker.Tests.Support;

namespace VibeData.Studio.AzureCredBroker.Tests
{
    /// <summary>
    /// <c>tests/scenarios.json</c>: every scenario gives, through this binding,
    /// the status, classification and message text the file lists — the same
    /// ones the C, Python and Go tests check.
    /// </summary>
    [TestFixture]
    public class ScenarioTests : BrokerTest
    {
        private static IEnumerable<TestCaseData> Scenarios()
        {
            var file = Json.ParseObject(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "tests", "scenarios.json")));
            return ((List<object>)file["scenarios"]).Cast<Dictionary<string, object>>()
                .Select(s => new TestCaseData(s).SetName("Scenario_" + (string)s["name"]));
        }

        [TestCaseSource(nameof(Scenarios))]
        public void Scenario(Dictionary<string, object> scenario)
        {
            if ((string)scenario["bearer"] == "blank")
            {
                Bearer.Write(string.Empty);
            }
            var options = new StudioAzureCredBrokerOptions { RuntimeAccessSocket = "/nonexistent/vd-broker-scenarios.sock" };
            if ((string)scenario["broker"] == "emulator")
            {
                options.BrokerUrl = Emulator.BrokerUrl;
                options.CredentialFile = Bearer.Path;
            }
            if (scenario["timeout_seconds"] is double seconds)
            {
                options.Timeout = TimeSpan.FromSeconds(seconds);
            }

            var stage = "create";
            var error = Assert.Catch<Exception>(() =>
            {
                var credential = Own(new StudioAzureCredBroker(options));
                stage = "token";
                Send(scenario["settings"], Emulator.Settings);
                Send(scenario["fault"], Emulator.Fault);
                credential.GetToken(For((string)scenario["scope"]), default);
            });
            Assert.That(stage, Is.EqualTo(scenario["fails_at"]));

            var argument = error as StudioCredentialArgumentException;
            var broker = error as StudioCredentialBrokerException;
            Assert.That(argument != null || broker != null, Is.True, $"not a binding exception: {error}");
            var status = argument?.Status ?? broker.Status;
            Assert.That(status.NativeName(), Is.EqualTo(scenario["status"]));
            Assert.That(broker?.HttpStatus ?? 0, Is.EqualTo((int)(double)scenario["http_status"]));
            Assert.That(status.IsRetriable(), Is.EqualTo(scenario["retriable"]), "retriable");
            Assert.That(status.IsAuthenticationFailure(), Is.EqualTo(scenario["authentication_failure"]), "authentication failure");
            Assert.That(status.IsConfigurationError(), Is.EqualTo(scenario["configuration_error"]), "configuration error");
            Assert.That(status.IsCallerError(), Is.EqualTo(scenario["caller_error"]), "caller error");
            Assert.That(error is BrokerAuthenticationFailedException, Is.EqualTo(scenario["authentication_failure"]));

            var message = ((string)scenario["message"])
                .Replace("{token_url}", Emulator.BrokerUrl + "/token")
                .Replace("{credential_file}", Bearer.Path);
            // An ArgumentException's Message adds its ParamName to the core's message.
            var expected = argument != null ? new ArgumentException(message, argument.ParamName).Message : message;
            Assert.That(error.Message, Is.EqualTo(expected));
        }

        /// <summary>A flat JSON object of numbers (a setting or fault of the scenario), unless null.</summary>
        private static void Send(object value, Action<string> send)
        {
            if (value is Dictionary<string, object> fields)
            {
                send("{" + string.Join(",", fields.Select(f =>
                    Json.Quote(f.Key) + ":" + ((double)f.Value).ToString("R", CultureInfo.InvariantCulture))) + "}");
            }
        }
    }
}
