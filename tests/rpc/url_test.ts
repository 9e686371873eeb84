import { urlDecode, urlEncode } from "../../rpc/url.ts";
import { assertEquals } from "./asserts.ts";

Deno.test("urlEncode/urlDecode like Core's common/url.cpp", () => {
  assertEquals(urlEncode("my wallet/ü~-_.!"), "my%20wallet%2F%C3%BC~-_.%21");
  assertEquals(urlDecode("my%20wallet%2F%C3%BC"), "my wallet/ü");
  assertEquals(urlDecode("a+b%zz%4"), "a+b%zz%4");
  assertEquals(urlDecode("%41%42"), "AB");
  let all = "";
  for (let i = 0x20; i < 0x7f; i++) all += String.fromCharCode(i);
  assertEquals(urlDecode(urlEncode(all)), all);
});
