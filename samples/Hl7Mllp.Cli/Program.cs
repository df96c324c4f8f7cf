Console.Error.WriteLine("hl7mllp: no commands yet");
return 2;
