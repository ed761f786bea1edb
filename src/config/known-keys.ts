import type { z } from "zod";

interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  keyType?: z.ZodType;
  entries?: Record<string, string | number>;
  options?: z.ZodType[];
}

const defOf = (schema: z.ZodType) => schema._zod.def as unknown as Def;

/** Looks through optional, default, nullable, pipe and similar wrappers. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    const inner = def.innerType ?? (def.type === "pipe" ? def.in : undefined);
    if (inner === undefined) return current;
    current = inner;
  }
}

function child(schema: z.ZodType, segment: string | number): z.ZodType[] {
  const def = defOf(unwrap(schema));
  switch (def.type) {
    case "object": {
      const field = def.shape?.[String(segment)];
      return field ? [field] : [];
    }
    case "array":
      return def.element ? [def.element] : [];
    case "record":
      return def.valueType ? [def.valueType] : [];
    case "union":
      return (def.options ?? []).flatMap((option) => child(option, segment));
    default:
      return [];
  }
}

function keysOf(schema: z.ZodType): string[] {
  const def = defOf(unwrap(schema));
  if (def.type === "object") return Object.keys(def.shape ?? {});
  if (def.type === "union") return (def.options ?? []).flatMap(keysOf);
  if (def.type === "record" && def.keyType !== undefined) {
    const keys = defOf(unwrap(def.keyType));
    if (keys.type === "enum")
      return Object.values(keys.entries ?? {}).map(String);
  }
  return [];
}

/** The keys the object at `path` in `schema` accepts (for did-you-mean). */
export function knownKeysAt(
  schema: z.ZodType,
  path: readonly PropertyKey[],
): string[] {
  let current = [schema];
  for (const segment of path) {
    if (typeof segment === "symbol") return [];
    current = current.flatMap((s) => child(s, segment));
  }
  return [...new Set(current.flatMap(keysOf))];
}
