// One colour per hardware class, the same on every chart (Market and Dashboard): a reader who has
// learnt that GPU training is the purple line keeps that. Distinguishable with the common colour
// vision deficiencies (Okabe–Ito) and on the page's light background.
import { HARDWARE_CLASSES, type HardwareClass } from "../../../../protocol/units.ts";

const OKABE_ITO = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#d55e00", "#56b4e9"];

export function classColor(hardwareClass: HardwareClass): string {
  return OKABE_ITO[HARDWARE_CLASSES.indexOf(hardwareClass) % OKABE_ITO.length];
}
