// dmn-js's modeler for the draft's decision tables, handed to the editor page (a bundle of its own, as it is
// large and only drafts with a .dmn file need it drawn).
import DmnModeler from 'dmn-js/lib/Modeler';

window.LifDmnModeler = DmnModeler;
