// A small console runner for the NUnit 2.6 tests on runtimes where NUnit's
// own console runner does not run (it is Mono-only; NUnitLite is not packaged
// for Debian): CoreCLR, by `dotnet exec`. It runs what the tests use, found by
// reflection, as nunit-console does: a [SetUpFixture]'s [SetUp] and
// [TearDown] around everything; per [TestFixture], [TestFixtureSetUp] and
// [TestFixtureTearDown] around its tests and [SetUp] / [TearDown] (base
// class first / last) around each; [Test], [TestCase(args)] and
// [TestCaseSource(name)]. Fixtures and tests run in name order. NUnit's own
// framework (nunit.framework.dll, which loads on CoreCLR) does the
// asserting: an AssertionException fails a test, Assert.Ignore's
// IgnoreException marks it ignored (with its reason), any other exception is
// an error. Ends with "RUNTIME VERSION: N passed, M failed, K ignored", and
// exits non-zero on a failure or when it found no test. With a PREFIX, it
// runs only the tests whose name (Fixture.Test) starts with it, and names
// the PREFIX in its summary line.
//
//   dotnet exec Runner.dll TESTS.dll [PREFIX]
using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace VibeData.Studio.AzureCredBroker.TestRunner
{
    internal static class ConsoleRunner
    {
        private const string NUnit = "NUnit.Framework.";
        private static int _passed, _failed, _ignored;
        private static string _only = "";

        private static int Main(string[] args)
        {
            if (args.Length < 1 || args.Length > 2)
            {
                Console.Error.WriteLine("usage: Runner.dll TESTS.dll [PREFIX]");
                return 2;
            }
            _only = args.Length == 2 ? args[1] : "";
            var tests = Assembly.Load(AssemblyName.GetAssemblyName(args[0]));
            var types = tests.GetTypes().Where(t => t.IsClass && !t.IsAbstract).OrderBy(t => t.FullName, StringComparer.Ordinal).ToList();
            var sessions = types.Where(t => Has(t, "SetUpFixtureAttribute")).Select(Activator.CreateInstance).ToList();
            var ready = sessions.All(s => Step(s, "SetUpAttribute", "session set-up " + s.GetType().Name));
            if (ready)
            {
                foreach (var fixture in types.Where(t => Has(t, "TestFixtureAttribute")))
                {
                    RunFixture(fixture);
                }
            }
            foreach (var session in sessions)
            {
                Step(session, "TearDownAttribute", "session tear-down " + session.GetType().Name);
            }
            var runtime = Type.GetType("Mono.Runtime") != null ? "Mono" : "CoreCLR";
            var only = _only.Length == 0 ? "" : " (" + _only + ")";
            Console.WriteLine("{0} {1}{2}: {3} passed, {4} failed, {5} ignored", runtime, Environment.Version, only, _passed, _failed, _ignored);
            return ready && _failed == 0 && _passed > 0 ? 0 : 1;
        }

        private static void RunFixture(Type type)
        {
            var fixture = Activator.CreateInstance(type);
            var tests = type.GetMethods().Where(m => Has(m, "TestAttribute") || Has(m, "TestCaseAttribute") || Has(m, "TestCaseSourceAttribute"))
                .Where(m => (type.Name + "." + m.Name).StartsWith(_only, StringComparison.Ordinal)).OrderBy(m => m.Name, StringComparer.Ordinal).ToList();
            if (tests.Count == 0)
            {
                return;
            }
            if (!Step(fixture, "TestFixtureSetUpAttribute", type.Name + " fixture set-up"))
            {
                return;
            }
            foreach (var test in tests)
            {
                foreach (var testCase in Cases(type, test))
                {
                    var arguments = testCase.Value;
                    var name = type.Name + "." + testCase.Key;
                    Console.WriteLine("***** " + name);
                    if (Step(fixture, "SetUpAttribute", name + " set-up"))
                    {
                        Run(name, () => test.Invoke(fixture, Convert(arguments, test.GetParameters())));
                    }
                    Step(fixture, "TearDownAttribute", name + " tear-down");
                }
            }
            Step(fixture, "TestFixtureTearDownAttribute", type.Name + " fixture tear-down");
        }

        // Runs the methods of target that carry attribute (base class first,
        // tear-downs last); a failure counts as a failed test, named.
        private static bool Step(object target, string attribute, string name)
        {
            var chain = new List<Type>();
            for (var t = target.GetType(); t != null; t = t.BaseType)
            {
                chain.Insert(0, t);
            }
            if (attribute.Contains("TearDown"))
            {
                chain.Reverse();
            }
            var methods = chain.SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)).Where(m => Has(m, attribute));
            return methods.All(m => Run(name, () => m.Invoke(target, null), counted: false));
        }

        private static bool Run(string name, Action action, bool counted = true)
        {
            try
            {
                action();
                if (counted)
                {
                    _passed++;
                }
                return true;
            }
            catch (TargetInvocationException e)
            {
                var error = e.InnerException;
                var kind = error.GetType().FullName;
                if (kind == NUnit + "IgnoreException")
                {
                    _ignored++;
                    Console.WriteLine("IGNORED {0}: {1}", name, error.Message);
                    return true;
                }
                if (kind == NUnit + "SuccessException")
                {
                    _passed++;
                    return true;
                }
                _failed++;
                Console.WriteLine("FAIL {0}: {1}", name, kind == NUnit + "AssertionException" ? error.Message : error.ToString());
                if (kind == NUnit + "AssertionException")
                {
                    Console.WriteLine(error.StackTrace);
                }
                return false;
            }
        }

        // [TestCase(args)] and [TestCaseSource(name)] (a static method of the
        // fixture yielding TestCaseData): each case's name and arguments.
        private static List<KeyValuePair<string, object[]>> Cases(Type type, MethodInfo test)
        {
            var cases = new List<KeyValuePair<string, object[]>>();
            foreach (var attribute in test.GetCustomAttributes(true))
            {
                var kind = attribute.GetType().FullName;
                if (kind == NUnit + "TestCaseAttribute")
                {
                    var arguments = (object[])Property(attribute, "Arguments");
                    cases.Add(new KeyValuePair<string, object[]>(test.Name + "(" + string.Join(", ", arguments.Select(a => a ?? "null")) + ")", arguments));
                }
                else if (kind == NUnit + "TestCaseSourceAttribute")
                {
                    var source = type.GetMethod((string)Property(attribute, "SourceName"), BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic);
                    foreach (var data in (System.Collections.IEnumerable)source.Invoke(null, null))
                    {
                        cases.Add(new KeyValuePair<string, object[]>((string)Property(data, "TestName") ?? test.Name, (object[])Property(data, "Arguments")));
                    }
                }
            }
            if (cases.Count == 0)
            {
                cases.Add(new KeyValuePair<string, object[]>(test.Name, new object[0]));
            }
            return cases;
        }

        private static object Property(object target, string name)
        {
            return target.GetType().GetProperty(name).GetValue(target, null);
        }

        // [TestCase] arguments as the parameters take them (e.g. 0.0 for a double).
        private static object[] Convert(object[] arguments, ParameterInfo[] parameters)
        {
            return arguments.Select((a, i) => a == null || parameters[i].ParameterType.IsInstanceOfType(a)
                ? a
                : System.Convert.ChangeType(a, parameters[i].ParameterType)).ToArray();
        }

        private static bool Has(MemberInfo member, string attribute)
        {
            return member.GetCustomAttributes(false).Any(a => a.GetType().FullName == NUnit + attribute);
        }
    }
}
