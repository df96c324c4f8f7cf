using System.Text;
using BenchmarkDotNet.Attributes;
using Hl7Mllp.Messages;

namespace Hl7Mllp.Benchmarks.Messages;

/// <summary>
/// Parse + read MSH-10, PID-3 and PID-5 of a 1.5 KB ADT^A01 and of a 200 KB ORU^R01 whose OBX-5 holds a large base64
/// document (issue 2 targets: ADT ≤ 1.5 µs allocating only the returned strings; ORU ≤ 50 µs, nothing on the LOH).
/// </summary>
[MemoryDiagnoser]
public class Hl7MessageBenchmarks
{
    private static readonly Hl7Key ControlId = Hl7Key.Parse("MSH.10");
    private static readonly Hl7Key PatientId = Hl7Key.Parse("PID.3");
    private static readonly Hl7Key PatientName = Hl7Key.Parse("PID.5");

    private byte[] _adt = [];
    private byte[] _oru = [];

    [GlobalSetup]
    public void Setup()
    {
        _adt = Encoding.ASCII.GetBytes(Adt());
        _oru = Encoding.ASCII.GetBytes(Oru());
    }

    [Benchmark(Baseline = true)]
    public int Adt_ParseAndRead_Keys() => ParseAndRead(_adt);

    [Benchmark]
    public int Adt_ParseAndRead_StringKeys()
    {
        Hl7Message message = Hl7Message.Parse(_adt);
        return message.GetValue("MSH.10").Length + message.GetValue("PID.3").Length + message.GetValue("PID.5").Length;
    }

    [Benchmark]
    public int Oru_ParseAndRead_Keys() => ParseAndRead(_oru);

    private static int ParseAndRead(byte[] bytes)
    {
        Hl7Message message = Hl7Message.Parse(bytes);
        return message.GetValue(ControlId).Length + message.GetValue(PatientId).Length + message.GetValue(PatientName).Length;
    }

    /// <summary>A realistic 1.5 KB ADT^A01 (v2.5.1, CR terminators).</summary>
    internal static string Adt()
    {
        var text = new StringBuilder();
        text.Append("MSH|^~\\&|EPICADT|CITYHOSP|LABADT|CITYLAB|20240501083000||ADT^A01^ADT_A01|MSG20240501083000123|P|2.5.1|||AL|NE||8859/1\r");
        text.Append("EVN|A01|20240501083000|||JSMITH^SMITH^JOHN^^^^^^CITYHOSP\r");
        text.Append("PID|1||100234567^^^CITYHOSP^MR~987654321^^^USSSA^SS||EVERYWOMAN^EVE^E^^^^L|JONES^^^^^^M|19620320|F|||2222 HOME STREET^^GREENSBORO^NC^27401-1020^USA^H||(555)555-2004^PRN^PH|(555)555-2005^WPN^PH|EN^English|M^Married|CHR^Christian|4000012345^^^CITYHOSP^AN|999-99-9999\r");
        text.Append("NK1|1|EVERYMAN^ADAM^A^^^^L|SPO^Spouse|2222 HOME STREET^^GREENSBORO^NC^27401-1020^USA^H|(555)555-2006^PRN^PH||EC^Emergency Contact\r");
        text.Append("PV1|1|I|2000^2012^01^CITYHOSP||||004777^ATTEND^AARON^A^^^MD|005888^REFER^RACHEL^R^^^MD|006999^CONSULT^CARL^C^^^MD|SUR||||7|A0||004777^ATTEND^AARON^A^^^MD|IN||CITYHMO|||||||||||||||||||CITYHOSP|||||20240501083000\r");
        text.Append("PV2|||^Chest pain, rule out myocardial infarction||||||20240503\r");
        text.Append("AL1|1|DA|1605^PENICILLIN^RXNORM|SV|Anaphylaxis|20100101\r");
        text.Append("DG1|1|I10|I20.9^Angina pectoris, unspecified^I10|Angina pectoris, unspecified|20240501083000|A\r");
        text.Append("GT1|1||EVERYWOMAN^EVE^E^^^^L||2222 HOME STREET^^GREENSBORO^NC^27401-1020^USA^H|(555)555-2004^PRN^PH||19620320|F||SEL^Self\r");
        text.Append("IN1|1|CITYHMO01^City HMO Gold|CITYHMO|City HMO Insurance Company|PO BOX 1000^^GREENSBORO^NC^27402^USA||(555)555-3000^WPN^PH|GRP-778899|||||20240101|20241231|||EVERYWOMAN^EVE^E^^^^L|SEL^Self|19620320|2222 HOME STREET^^GREENSBORO^NC^27401-1020^USA^H\r");
        text.Append("ROL|1|AD|AT^Attending^HL70443|004777^ATTEND^AARON^A^^^MD|20240501083000||||||CITYHOSP^^^^^^^^^2000\r");
        text.Append("NTE|1||Patient arrived by ambulance; family notified.\r");
        return text.ToString();
    }

    /// <summary>A 200 KB ORU^R01 whose single OBX-5 (ED) carries a base64 PDF-sized document.</summary>
    internal static string Oru()
    {
        var random = new Random(42);
        byte[] document = new byte[150_000];
        random.NextBytes(document);
        var text = new StringBuilder(210_000);
        text.Append("MSH|^~\\&|LAB|CITYLAB|EHR|CITYHOSP|20240501090000||ORU^R01^ORU_R01|LAB20240501090000456|P|2.5.1|||AL|NE\r");
        text.Append("PID|1||100234567^^^CITYHOSP^MR||EVERYWOMAN^EVE^E^^^^L||19620320|F\r");
        text.Append("ORC|RE|ORD448811^EHR|LAB992211^LAB\r");
        text.Append("OBR|1|ORD448811^EHR|LAB992211^LAB|11502-2^Laboratory report^LN|||20240501080000\r");
        text.Append("OBX|1|ED|11502-2^Laboratory report^LN||^application^pdf^Base64^").Append(Convert.ToBase64String(document)).Append("||||||F\r");
        return text.ToString();
    }
}
