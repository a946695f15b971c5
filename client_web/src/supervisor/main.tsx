import { render } from "preact";
import "../styles/base.css";
import "../styles/staff.css";
import { enableSoundOnFirstGesture } from "../shared/sound";
import { SupervisorApp } from "./SupervisorApp";

enableSoundOnFirstGesture();
render(<SupervisorApp />, document.getElementById("app") as HTMLElement);
