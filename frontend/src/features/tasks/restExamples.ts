/**
 * Ready-to-paste calls of the Message Nest-compatible REST endpoints (`/api/v1/message/send` for a
 * task, `/api/v2/message/send` for a template, and a GET of `/api/send` for shell scripts), in the
 * languages Message Nest's console showed. With the target's Message Nest token accepted, they send
 * the token alone, exactly as old callers do; otherwise they send an API key, as new callers should.
 */

import { goString, KEY_ENV, pythonLiteral, shellQuote } from './apiExamples'

export type RestLang = 'curl' | 'python' | 'javascript' | 'go' | 'java' | 'php' | 'shell'
export const REST_LANGS: RestLang[] = ['curl', 'python', 'javascript', 'go', 'java', 'php', 'shell']

export type RestTarget =
  | { mode: 'task'; id: number; title: string; text: string }
  | { mode: 'template'; id: number; title: string; placeholders: Record<string, string> }

export interface RestOptions {
  /** Where the console is served, e.g. `location.origin`. */
  origin: string
  /** The Message Nest token while the target accepts it: the calls then carry no key. */
  legacyToken: string | null
  /** A real key to fill in; null makes the calls read $PUSHNEST_API_KEY (unused with a token). */
  apiKey: string | null
}

const KEY = 71

/**
 * Message Nest's token for an id (what its own console computed in the browser): a salt byte, then
 * each character XOR 71 XOR (salt + i), in hex. It only encodes the id; it is no secret.
 */
export function encodeLegacyToken(id: string): string {
  const codes = [...id].map((c) => c.charCodeAt(0))
  const salt = codes.reduce((sum, code, i) => sum + code * (i + 1), 0) & 0xff
  const bytes = [salt, ...codes.map((code, i) => code ^ KEY ^ ((salt + i) & 0xff))]
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join('')
}

export function restPath(target: RestTarget): string {
  return target.mode === 'task' ? '/api/v1/message/send' : '/api/v2/message/send'
}

/** The JSON body, with Message Nest's field names. */
export function restBody(target: RestTarget, opts: RestOptions): Record<string, unknown> {
  if (target.mode === 'task') {
    const who = opts.legacyToken ? { token: opts.legacyToken } : { task_id: String(target.id) }
    return { ...who, title: target.title, text: target.text }
  }
  // v2 always names its template by token; the id's own encoding works with a key too.
  const token = opts.legacyToken ?? encodeLegacyToken(String(target.id))
  return { token, title: target.title, placeholders: { ...target.placeholders } }
}

function usesKey(opts: RestOptions): boolean {
  return opts.legacyToken === null
}

function curl(target: RestTarget, opts: RestOptions): string {
  const lines = [`curl -sS ${shellQuote(opts.origin + restPath(target))} \\`, `  -H 'Content-Type: application/json' \\`]
  if (usesKey(opts)) {
    lines.push(`  -H ${opts.apiKey ? shellQuote(`Authorization: Bearer ${opts.apiKey}`) : `"Authorization: Bearer $${KEY_ENV}"`} \\`)
  }
  lines.push(`  -d ${shellQuote(JSON.stringify(restBody(target, opts), null, 2))}`)
  return lines.join('\n')
}

function python(target: RestTarget, opts: RestOptions): string {
  const key = opts.apiKey ? JSON.stringify(opts.apiKey) : `os.environ[${JSON.stringify(KEY_ENV)}]`
  const head = usesKey(opts) ? [...(opts.apiKey ? [] : ['import os', '']), 'import requests', '', `API_KEY = ${key}`, ''] : ['import requests', '']
  return [
    ...head,
    'response = requests.post(',
    `    ${JSON.stringify(opts.origin + restPath(target))},`,
    ...(usesKey(opts) ? ['    headers={"Authorization": f"Bearer {API_KEY}"},'] : []),
    `    json=${pythonLiteral(restBody(target, opts), 4)},`,
    '    timeout=30,',
    ')',
    'print(response.json())  # {"code": 200, "msg": ..., "data": ...}',
  ].join('\n')
}

function javascript(target: RestTarget, opts: RestOptions): string {
  const headers = usesKey(opts)
    ? `{ 'Content-Type': 'application/json', Authorization: \`Bearer \${${opts.apiKey ? JSON.stringify(opts.apiKey) : `process.env.${KEY_ENV}`}}\` }`
    : `{ 'Content-Type': 'application/json' }`
  const body = JSON.stringify(restBody(target, opts), null, 2).split('\n').join('\n  ')
  return [
    `const response = await fetch(${JSON.stringify(opts.origin + restPath(target))}, {`,
    "  method: 'POST',",
    `  headers: ${headers},`,
    `  body: JSON.stringify(${body}),`,
    '})',
    'console.log(await response.json())',
  ].join('\n')
}

function go(target: RestTarget, opts: RestOptions): string {
  const needsOs = usesKey(opts) && !opts.apiKey
  const imports = ['"fmt"', '"io"', '"net/http"', ...(needsOs ? ['"os"'] : []), '"strings"']
  const key = opts.apiKey ? JSON.stringify(opts.apiKey) : `os.Getenv(${JSON.stringify(KEY_ENV)})`
  return [
    'package main',
    '',
    'import (',
    ...imports.map((name) => `\t${name}`),
    ')',
    '',
    'func main() {',
    `\tbody := ${goString(JSON.stringify(restBody(target, opts), null, 2))}`,
    `\treq, err := http.NewRequest("POST", ${JSON.stringify(opts.origin + restPath(target))}, strings.NewReader(body))`,
    '\tif err != nil {',
    '\t\tpanic(err)',
    '\t}',
    '\treq.Header.Set("Content-Type", "application/json")',
    ...(usesKey(opts) ? [`\treq.Header.Set("Authorization", "Bearer "+${key})`] : []),
    '\tresp, err := http.DefaultClient.Do(req)',
    '\tif err != nil {',
    '\t\tpanic(err)',
    '\t}',
    '\tdefer resp.Body.Close()',
    '\tanswer, _ := io.ReadAll(resp.Body)',
    '\tfmt.Println(string(answer))',
    '}',
  ].join('\n')
}

/** A Java string literal: JSON's escapes are valid Java escapes. */
function javaString(text: string): string {
  return JSON.stringify(text).replaceAll('\u2028', '\\u2028').replaceAll('\u2029', '\\u2029')
}

function java(target: RestTarget, opts: RestOptions): string {
  const key = opts.apiKey ? javaString(opts.apiKey) : `System.getenv(${javaString(KEY_ENV)})`
  return [
    'import java.net.URI;',
    'import java.net.http.HttpClient;',
    'import java.net.http.HttpRequest;',
    'import java.net.http.HttpResponse;',
    '',
    'public class Send {',
    '    public static void main(String[] args) throws Exception {',
    `        String body = ${javaString(JSON.stringify(restBody(target, opts)))};`,
    '        HttpRequest request = HttpRequest.newBuilder()',
    `            .uri(URI.create(${javaString(opts.origin + restPath(target))}))`,
    '            .header("Content-Type", "application/json")',
    ...(usesKey(opts) ? [`            .header("Authorization", "Bearer " + ${key})`] : []),
    '            .POST(HttpRequest.BodyPublishers.ofString(body))',
    '            .build();',
    '        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());',
    '        System.out.println(response.body());',
    '    }',
    '}',
  ].join('\n')
}

/** A PHP single-quoted string: only \ and ' are special. */
function phpString(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`
}

function php(target: RestTarget, opts: RestOptions): string {
  const key = opts.apiKey ? phpString(opts.apiKey) : `getenv(${phpString(KEY_ENV)})`
  return [
    '<?php',
    `$body = ${phpString(JSON.stringify(restBody(target, opts), null, 2))};`,
    `$ch = curl_init(${phpString(opts.origin + restPath(target))});`,
    'curl_setopt_array($ch, [',
    '    CURLOPT_POST => true,',
    '    CURLOPT_POSTFIELDS => $body,',
    '    CURLOPT_RETURNTRANSFER => true,',
    usesKey(opts)
      ? `    CURLOPT_HTTPHEADER => ['Content-Type: application/json', 'Authorization: Bearer ' . ${key}],`
      : "    CURLOPT_HTTPHEADER => ['Content-Type: application/json'],",
    ']);',
    'echo curl_exec($ch), PHP_EOL;',
    'curl_close($ch);',
  ].join('\n')
}

/** The minimal GET for shell scripts and devices: everything in the query string. */
function shell(target: RestTarget, opts: RestOptions): string {
  const param = (text: string): string => `  --data-urlencode ${text.startsWith('"') ? text : shellQuote(text)}`
  const params: string[] = []
  if (usesKey(opts)) params.push(param(`"key=$${opts.apiKey ? 'API_KEY' : KEY_ENV}"`))
  if (target.mode === 'task') {
    params.push(param(opts.legacyToken ? `token=${opts.legacyToken}` : `task_id=${target.id}`))
    params.push(param(`title=${target.title}`), param(`text=${target.text}`))
  } else {
    // A template renders its own title and body (placeholder defaults).
    params.push(param(`template_id=${target.id}`))
  }
  const head = usesKey(opts) && opts.apiKey ? [`API_KEY=${shellQuote(opts.apiKey)}`] : []
  const lines = [`curl -sS -G ${shellQuote(opts.origin + '/api/send')}`, ...params]
  return ['#!/bin/sh', ...head, lines.join(' \\\n')].join('\n')
}

const BUILDERS: Record<RestLang, (target: RestTarget, opts: RestOptions) => string> = { curl, python, javascript, go, java, php, shell }

export function buildRestExample(lang: RestLang, target: RestTarget, opts: RestOptions): string {
  return BUILDERS[lang](target, opts)
}
