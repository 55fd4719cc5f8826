Console.WriteLine("bro");
