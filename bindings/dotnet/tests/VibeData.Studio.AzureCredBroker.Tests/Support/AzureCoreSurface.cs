using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Reflection.Emit;

namespace VibeData.Studio.AzureCredBroker.Tests.Support
{
    /// <summary>
    /// Azure.Core's public surface as one line per type and member, in the
    /// format of <c>tests/AzureCoreStandIn/Azure.Core-1.44.1.surface.txt</c>,
    /// and the Azure.Core types and members an assembly refers to: in its
    /// signatures, base types, overrides and method bodies (read from the IL).
    /// </summary>
    internal static class AzureCoreSurface
    {
        internal static string CommittedListPath =>
            Path.Combine(RepositoryPaths.Root, "bindings", "dotnet", "tests", "AzureCoreStandIn", "Azure.Core-1.44.1.surface.txt");

        /// <summary>The committed list: its lines without comments and blanks.</summary>
        internal static HashSet<string> CommittedList() =>
            new HashSet<string>(File.ReadAllLines(CommittedListPath).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("#")));

        private const BindingFlags Declared =
            BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;

        /// <summary>The lines of <paramref name="type"/> and of its public and protected members.</summary>
        internal static IEnumerable<string> Describe(Type type)
        {
            yield return DescribeType(type);
            foreach (var member in type.GetMembers(Declared).Where(Visible))
            {
                if (member is MethodInfo method && method.IsSpecialName)
                {
                    continue; // accessors: their property's line stands for them
                }
                yield return DescribeMember(member);
            }
        }

        /// <summary>Every Azure.Core type and member <paramref name="assembly"/> refers to, with where.</summary>
        internal static IEnumerable<KeyValuePair<string, string>> ReferencesIn(Assembly assembly)
        {
            foreach (var type in assembly.GetTypes())
            {
                foreach (var used in TypesIn(type.BaseType).Concat(type.GetInterfaces().SelectMany(TypesIn)))
                {
                    yield return Use(used, type.FullName);
                }
                foreach (var field in type.GetFields(Declared))
                {
                    foreach (var used in TypesIn(field.FieldType))
                    {
                        yield return Use(used, $"{type.FullName}.{field.Name}");
                    }
                }
                foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
                {
                    var where = $"{type.FullName}.{method.Name}";
                    foreach (var used in Signature(method).SelectMany(TypesIn))
                    {
                        yield return Use(used, where);
                    }
                    if (method is MethodInfo info && info.GetBaseDefinition().DeclaringType != type && FromAzureCore(info.GetBaseDefinition()))
                    {
                        yield return new KeyValuePair<string, string>(DescribeMember(info.GetBaseDefinition()), where);
                    }
                    foreach (var member in MembersInBody(method))
                    {
                        if (member is Type used)
                        {
                            foreach (var t in TypesIn(used))
                            {
                                yield return Use(t, where);
                            }
                        }
                        else if (FromAzureCore(member))
                        {
                            yield return new KeyValuePair<string, string>(DescribeMember(member), where);
                        }
                        else if (member is MethodBase other)
                        {
                            // e.g. new ValueTask<AccessToken>(...): the Azure.Core type argument.
                            foreach (var t in TypesIn(other.DeclaringType))
                            {
                                yield return Use(t, where);
                            }
                        }
                    }
                }
            }
        }

        private static KeyValuePair<string, string> Use(Type type, string where) => new KeyValuePair<string, string>(DescribeType(type), where);

        private static bool FromAzureCore(MemberInfo member) => member.DeclaringType != null && FromAzureCore(member.DeclaringType);

        private static bool FromAzureCore(Type type) => type.Assembly.GetName().Name == "Azure.Core";

        /// <summary>The Azure.Core types in <paramref name="type"/> (itself, its elements, its type arguments).</summary>
        private static IEnumerable<Type> TypesIn(Type type)
        {
            if (type == null)
            {
                return Enumerable.Empty<Type>();
            }
            if (type.HasElementType)
            {
                return TypesIn(type.GetElementType());
            }
            var arguments = type.IsGenericType ? type.GetGenericArguments().SelectMany(TypesIn) : Enumerable.Empty<Type>();
            var definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
            return FromAzureCore(definition) && !type.IsGenericParameter ? arguments.Concat(new[] { definition }) : arguments;
        }

        private static IEnumerable<Type> Signature(MethodBase method)
        {
            var parameters = method.GetParameters().Select(p => p.ParameterType);
            return method is MethodInfo info ? parameters.Concat(new[] { info.ReturnType }) : parameters;
        }

        private static bool Visible(MemberInfo member)
        {
            // (if-chains, not type switches: Mono's mcs has no switch patterns)
            if (member is MethodBase method)
            {
                return method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly;
            }
            if (member is FieldInfo field)
            {
                return field.IsPublic || field.IsFamily || field.IsFamilyOrAssembly;
            }
            if (member is PropertyInfo property)
            {
                return property.GetAccessors(true).Any(Visible);
            }
            if (member is EventInfo e)
            {
                return Visible(e.AddMethod);
            }
            return member is Type nested && (nested.IsNestedPublic || nested.IsNestedFamily || nested.IsNestedFamORAssem);
        }

        internal static string DescribeType(Type type)
        {
            string kind;
            if (type.IsInterface)
            {
                kind = "interface";
            }
            else if (type.IsEnum)
            {
                kind = "enum";
            }
            else if (type.IsValueType)
            {
                var isReadOnly = type.GetCustomAttributesData().Any(a => a.AttributeType.Name == "IsReadOnlyAttribute");
                kind = isReadOnly ? "readonly struct" : "struct";
            }
            else
            {
                kind = type.IsAbstract && type.IsSealed ? "static class" : type.IsAbstract ? "abstract class" : type.IsSealed ? "sealed class" : "class";
            }
            var baseType = type.IsClass && type.BaseType != typeof(object) ? " : " + Name(type.BaseType) : "";
            return $"type {kind} {Name(type)}{baseType}";
        }

        private static string DescribeMember(MemberInfo member)
        {
            var owner = Name(member.DeclaringType);
            if (member is ConstructorInfo ctor)
            {
                return $"{Access(ctor)}{(ctor.IsStatic ? " static" : "")} {owner}..ctor({Parameters(ctor)})";
            }
            if (member is MethodInfo method)
            {
                if (!method.IsSpecialName)
                {
                    return $"{Access(method)}{Modifiers(method)} {Name(method.ReturnType)} {owner}.{method.Name}{GenericArity(method)}({Parameters(method)})";
                }
                var owning = method.DeclaringType.GetProperties(Declared)
                    .FirstOrDefault(p => p.GetGetMethod(true) == method || p.GetSetMethod(true) == method);
                return owning != null ? DescribeMember(owning) : $"accessor {owner}.{method.Name}";
            }
            if (member is PropertyInfo property)
            {
                var get = property.GetGetMethod(true);
                var set = property.GetSetMethod(true);
                var first = property.GetAccessors(true).First(Visible);
                var parts = (get != null && Visible(get) ? " get;" : "") + (set != null && Visible(set) ? " set;" : "");
                return $"{Access(first)}{Modifiers(first)} {Name(property.PropertyType)} {owner}.{property.Name} {{{parts} }}";
            }
            if (member is FieldInfo field)
            {
                return $"{(field.IsPublic ? "public" : "protected")}{(field.IsStatic ? " static" : "")}{(field.IsInitOnly ? " readonly" : "")} {Name(field.FieldType)} {owner}.{field.Name}";
            }
            if (member is EventInfo e)
            {
                return $"event {Name(e.EventHandlerType)} {owner}.{e.Name}";
            }
            return member is Type nested ? DescribeType(nested) : $"member {owner}.{member.Name}";
        }

        private static string Access(MethodBase method) => method.IsPublic ? "public" : method.IsFamily ? "protected" : method.IsFamilyOrAssembly ? "protected internal" : "internal";

        private static string Modifiers(MethodInfo method)
        {
            var modifiers = method.IsStatic ? " static" : "";
            if (method.IsAbstract)
            {
                return modifiers + " abstract";
            }
            if (method.IsVirtual && !method.IsFinal)
            {
                return modifiers + (method.GetBaseDefinition().DeclaringType != method.DeclaringType ? " override" : " virtual");
            }
            return modifiers;
        }

        private static string GenericArity(MethodInfo method) =>
            method.IsGenericMethodDefinition ? "<" + string.Join(", ", method.GetGenericArguments().Select(a => a.Name)) + ">" : "";

        private static string Parameters(MethodBase method) => string.Join(", ", method.GetParameters().Select(Parameter));

        private static string Parameter(ParameterInfo parameter)
        {
            var text = $"{Name(parameter.ParameterType)} {parameter.Name}";
            if (!parameter.IsOptional)
            {
                return text;
            }
            var value = parameter.RawDefaultValue;
            var shown = value == null ? "null" : value is bool b ? (b ? "true" : "false") : value is string s ? $"\"{s}\"" : value.ToString();
            return $"{text} = {shown}";
        }

        /// <summary>A type as C# would spell it in full: <c>System.Nullable&lt;System.DateTimeOffset&gt;</c>.</summary>
        internal static string Name(Type type)
        {
            if (type.IsByRef)
            {
                return Name(type.GetElementType()) + "&";
            }
            if (type.IsArray)
            {
                return Name(type.GetElementType()) + "[" + new string(',', type.GetArrayRank() - 1) + "]";
            }
            if (type.IsGenericParameter)
            {
                return type.Name;
            }
            var name = type.IsNested ? Name(type.DeclaringType) + "." + type.Name : type.Namespace + "." + type.Name;
            if (!type.IsGenericType)
            {
                return name;
            }
            var tick = name.IndexOf('`');
            return (tick >= 0 ? name.Substring(0, tick) : name) + "<" + string.Join(", ", type.GetGenericArguments().Select(Name)) + ">";
        }

        // ---- IL: which members a method body refers to -------------------------

        private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (OpCode)f.GetValue(null))
            .ToDictionary(o => o.Value);

        /// <summary>The types, methods and fields the IL of <paramref name="method"/> names.</summary>
        private static IEnumerable<MemberInfo> MembersInBody(MethodBase method)
        {
            var il = method.GetMethodBody()?.GetILAsByteArray();
            if (il == null)
            {
                yield break;
            }
            var typeArguments = method.DeclaringType.IsGenericType ? method.DeclaringType.GetGenericArguments() : null;
            var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
            for (var at = 0; at < il.Length;)
            {
                short value = il[at++];
                if (value == 0xFE)
                {
                    value = (short)(0xFE00 | il[at++]);
                }
                var opCode = OpCodesByValue[value];
                switch (opCode.OperandType)
                {
                    case OperandType.InlineField:
                    case OperandType.InlineMethod:
                    case OperandType.InlineTok:
                    case OperandType.InlineType:
                        yield return method.Module.ResolveMember(BitConverter.ToInt32(il, at), typeArguments, methodArguments);
                        at += 4;
                        break;
                    case OperandType.InlineSwitch:
                        at += 4 + 4 * BitConverter.ToInt32(il, at);
                        break;
                    default:
                        at += OperandSize(opCode.OperandType);
                        break;
                }
            }
        }

        private static int OperandSize(OperandType type)
        {
            switch (type)
            {
                case OperandType.InlineNone: return 0;
                case OperandType.ShortInlineBrTarget:
                case OperandType.ShortInlineI:
                case OperandType.ShortInlineVar: return 1;
                case OperandType.InlineVar: return 2;
                case OperandType.InlineI8:
                case OperandType.InlineR: return 8;
                default: return 4; // InlineBrTarget, InlineI, InlineSig, InlineString, ShortInlineR
            }
        }
    }
}
