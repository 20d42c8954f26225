import type { Command } from 'commander';

/**
 * `trailbook completion bash|zsh|fish`: shell completion written from the commander program
 * itself (its commands, subcommands and options), so it never drifts from the CLI. Runbook ids
 * for `run` are the ones known when the script is written (the bundled ones and ./runbooks);
 * everything else completes file names.
 */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

interface Node {
  /** Words from the program to this command: '' for the program, 'intel check' for a subcommand. */
  path: string;
  name: string;
  description: string;
  subcommands: string[];
  /** Long flags (and short ones) of this command. */
  options: Array<{ flags: string[]; description: string; takesValue: boolean }>;
}

export function commandTree(program: Command): Node[] {
  const nodes: Node[] = [];
  const visit = (command: Command, path: string): void => {
    const visible = command.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);
    nodes.push({
      path,
      name: command.name(),
      description: command.description(),
      subcommands: visible.map((c) => c.name()),
      options: [
        ...command.options
          .filter((o) => !o.hidden)
          .map((o) => ({ flags: [o.long, o.short].filter((f): f is string => !!f), description: o.description, takesValue: o.required || o.optional })),
        { flags: ['--help', '-h'], description: 'display help for command', takesValue: false },
      ],
    });
    for (const sub of visible) visit(sub, path ? `${path} ${sub.name()}` : sub.name());
  };
  visit(program, '');
  return nodes;
}

/** Quoted for a single-quoted shell word. */
const sq = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;
/** One line, short: descriptions shown beside candidates. */
const brief = (text: string): string => text.replace(/\s+/g, ' ').trim().slice(0, 70);

export function completionScript(shell: Shell, program: Command, runbookIds: readonly string[]): string {
  const nodes = commandTree(program);
  const name = program.name();
  if (shell === 'bash') return bashScript(name, nodes, runbookIds);
  if (shell === 'zsh') return zshScript(name, nodes, runbookIds);
  return fishScript(name, nodes, runbookIds);
}

function bashScript(name: string, nodes: Node[], runbookIds: readonly string[]): string {
  const fn = `_${name}_complete`;
  const cases = (pick: (n: Node) => string[]) => nodes.map((n) => `    ${sq(n.path)}) echo ${sq(pick(n).join(' '))} ;;`).join('\n');
  return `# bash completion for ${name}: eval "$(${name} completion bash)", or save it in
# ~/.local/share/bash-completion/completions/${name}
${fn}_subcommands() {
  case "$1" in
${cases((n) => n.subcommands)}
  esac
}
${fn}_options() {
  case "$1" in
${cases((n) => n.options.flatMap((o) => o.flags))}
  esac
}
${fn}_valued() {
  case "$1" in
${cases((n) => n.options.filter((o) => o.takesValue).flatMap((o) => o.flags))}
  esac
}
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local path="" word i positional=0
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    case "$word" in -*) continue ;; esac
    case " $(${fn}_valued "$path") " in *" \${COMP_WORDS[i-1]} "*) continue ;; esac
    case " $(${fn}_subcommands "$path") " in
      *" $word "*) path="\${path:+$path }$word" ;;
      *) positional=$((positional + 1)) ;;
    esac
  done
  COMPREPLY=()
  case " $(${fn}_valued "$path") " in *" $prev "*) return 0 ;; esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(${fn}_options "$path")" -- "$cur"))
  elif [[ -n "$(${fn}_subcommands "$path")" ]]; then
    COMPREPLY=($(compgen -W "$(${fn}_subcommands "$path")" -- "$cur"))
  elif [[ "$path" == run && $positional -eq 0 ]]; then
    COMPREPLY=($(compgen -W ${sq(runbookIds.join(' '))} -- "$cur"))
  fi
  return 0
}
complete -o default -F ${fn} ${name}
`;
}

/** zsh: `name:description` pairs for _describe (a colon in a name or description is escaped). */
const zshPair = (word: string, description: string): string => sq(`${word.replace(/:/g, '\\:')}:${brief(description).replace(/:/g, '\\:')}`);

function zshScript(name: string, nodes: Node[], runbookIds: readonly string[]): string {
  const fn = `_${name}`;
  const block = (pick: (n: Node) => string[]) => nodes.map((n) => `    ${sq(n.path)}) items=(${pick(n).join(' ')}) ;;`).join('\n');
  return `#compdef ${name}
# zsh completion for ${name}: save as _${name} in a folder on $fpath, or: source <(${name} completion zsh)
${fn}() {
  local path_words="" word i positional=0
  local -a items valued
  for ((i = 2; i < CURRENT; i++)); do
    word="\${words[i]}"
    [[ "$word" == -* ]] && continue
    ${fn}_items valued "$path_words"
    (( \${valued[(Ie)\${words[i-1]}]} )) && continue
    ${fn}_items commands "$path_words"
    if (( \${items[(I)$word:*]} )); then path_words="\${path_words:+$path_words }$word"; else positional=$((positional + 1)); fi
  done
  ${fn}_items valued "$path_words"
  if (( \${valued[(Ie)\${words[CURRENT-1]}]} )); then _files; return; fi
  if [[ "\${words[CURRENT]}" == -* ]]; then
    ${fn}_items options "$path_words"; _describe -t options option items; return
  fi
  ${fn}_items commands "$path_words"
  if (( \${#items} )); then _describe -t commands command items; return; fi
  if [[ "$path_words" == run && $positional -eq 0 ]]; then
    items=(${runbookIds.map((id) => sq(id)).join(' ')}); compadd -a items; _files -/; return
  fi
  _files
}
# ${fn}_items KIND PATH: sets items (or valued) for a command path.
${fn}_items() {
  items=()
  case "$1" in
  commands)
    case "$2" in
${block((n) => nodes.filter((c) => c.path === (n.path ? `${n.path} ${c.name}` : c.name) && c.path).map((c) => zshPair(c.name, c.description)))}
    esac ;;
  options)
    case "$2" in
${block((n) => n.options.flatMap((o) => o.flags.map((f) => zshPair(f, o.description))))}
    esac ;;
  valued)
    case "$2" in
${block((n) => n.options.filter((o) => o.takesValue).flatMap((o) => o.flags.map(sq)))}
    esac
    valued=("\${items[@]}") ;;
  esac
}
if [[ "\${zsh_eval_context[-1]}" == loadautofunc ]]; then ${fn} "$@"; else compdef ${fn} ${name}; fi
`;
}

function fishScript(name: string, nodes: Node[], runbookIds: readonly string[]): string {
  const fn = `__${name}`;
  const lines = [
    `# fish completion for ${name}: ${name} completion fish > ~/.config/fish/completions/${name}.fish`,
    `function ${fn}_subcommands`,
    `    switch "$argv[1]"`,
    ...nodes.flatMap((n) => [
      `        case ${sq(n.path)}`,
      n.subcommands.length ? `            printf '%s\\n' ${n.subcommands.map(sq).join(' ')}` : '            true',
    ]),
    `    end`,
    `end`,
    `# The command path typed so far ('', 'intel', 'intel check', ...).`,
    `function ${fn}_path`,
    `    set -l words (commandline -opc)`,
    `    set -e words[1]`,
    `    set -l path ''`,
    `    for word in $words`,
    `        string match -q -- '-*' $word; and continue`,
    `        if contains -- $word (${fn}_subcommands $path)`,
    `            set path (string trim -- "$path $word")`,
    `        end`,
    `    end`,
    `    echo $path`,
    `end`,
    `complete -c ${name} -f`,
  ];
  for (const node of nodes) {
    const guard = sq(`test "(${fn}_path)" = ${sq(node.path)}`);
    for (const sub of node.subcommands) {
      const child = nodes.find((n) => n.path === (node.path ? `${node.path} ${sub}` : sub))!;
      lines.push(`complete -c ${name} -n ${guard} -a ${sq(sub)} -d ${sq(brief(child.description))}`);
    }
    for (const option of node.options) {
      const long = option.flags.find((f) => f.startsWith('--'));
      const short = option.flags.find((f) => !f.startsWith('--'));
      const spec = [long ? `-l ${long.slice(2)}` : '', short ? `-s ${short.slice(1)}` : ''].filter(Boolean).join(' ');
      lines.push(`complete -c ${name} -n ${guard} ${spec}${option.takesValue ? ' -r -F' : ''} -d ${sq(brief(option.description))}`);
    }
    if (!node.subcommands.length) lines.push(`complete -c ${name} -n ${guard} -F`);
  }
  lines.push(`complete -c ${name} -n ${sq(`test "(${fn}_path)" = run`)} -a ${sq(runbookIds.join(' '))} -d 'runbook'`);
  return `${lines.join('\n')}\n`;
}
